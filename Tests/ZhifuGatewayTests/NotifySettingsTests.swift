import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol

/// The operator's notify settings per merchant: notifications redirected to another URL, or held
/// (nothing sent, no try counted) until resumed.
@Suite struct NotifySettingsTests {
    let console = ConsoleTests()
    let notifier = NotifierTests()
    static let token = "admin-token-notify-settings"

    func setByAdminAPI(_ world: TestWorld, _ form: String) async throws -> (HTTPResponse.Status, String) {
        try await world.app().test(.router) { client in
            try await client.execute(uri: "/admin/api/merchants/\(TestWorld.partner)/notify", method: .post,
                                     headers: [.authorization: "Bearer \(Self.token)", .contentType: "application/x-www-form-urlencoded"],
                                     body: ByteBuffer(string: form)) { ($0.status, try bodyText($0)) }
        }
    }

    @Test func aMerchantsNotificationsGoToTheRedirectURLOrWaitWhileHeld() async throws {
        let world = try await TestWorld.make(operatorPassword: ConsoleTests.password, adminToken: Self.token)
        let addressed = NotifySink(script: []), redirected = NotifySink(script: [])
        try await addressed.app().test(.live) { addressedClient in
            try await redirected.app().test(.live) { redirectedClient in
                let addressedURL = "http://127.0.0.1:\(try #require(addressedClient.port))/notify"
                let redirectURL = "http://127.0.0.1:\(try #require(redirectedClient.port))/notify"
                try await world.app().test(.router) { client in
                    let (_, cookie) = try await console.login(client)
                    let page = try await console.get(client, "/console/merchants", cookie: cookie).1
                    let csrf = try #require(inputValue("csrf", in: page))
                    let uri = "/console/merchants/\(TestWorld.partner)/notify"
                    #expect(try await console.post(client, uri, cookie: cookie, form: [("csrf", csrf), ("redirect_url", "ftp://x")]).0 == .badRequest)
                    #expect(try await console.post(client, uri, cookie: cookie, form: [("redirect_url", redirectURL)]).0 == .forbidden, "no CSRF token")
                    #expect(try await console.post(client, "/console/merchants/2088000000009999/notify", cookie: cookie, form: [("csrf", csrf)]).0 == .notFound)
                    #expect(try await console.post(client, uri, cookie: cookie, form: [("csrf", csrf), ("redirect_url", redirectURL)]).0 == .seeOther)
                    #expect(try await console.get(client, "/console/merchants", cookie: cookie).1.contains("value=\"\(redirectURL)\""))
                }
                try await notifier.payBatch(world, notifyURL: addressedURL)
                let delivery = Notifier(gateway: world.gateway)
                #expect(try await delivery.deliverDue(testHTTPClient) == 1)
                #expect(redirected.count == 1 && addressed.count == 0, "sent to the redirect URL")

                // Held: nothing is sent and no try is counted; resumed, it goes where it was addressed.
                let answer = try await setByAdminAPI(world, "paused=true")
                #expect(answer.0 == .ok && answer.1.contains("\"paused\":true"))
                try await notifier.payBatch(world, notifyURL: addressedURL, batchNo: "20080107002")
                #expect(try await delivery.deliverDue(testHTTPClient) == 0)
                let held = try #require(try await world.gateway.store.recentNotifications(status: .pending, limit: 10).first)
                #expect(held.attempts == 0 && addressed.count == 0 && redirected.count == 1)
                #expect(try await setByAdminAPI(world, "paused=false&redirect_url=").1.contains("\"paused\":false"))
                _ = try await world.gateway.advanceSandboxClock(seconds: 120)   // past the held claim's lease
                #expect(try await delivery.deliverDue(testHTTPClient) == 1)
                #expect(addressed.count == 1 && redirected.count == 1)
            }
        }
    }
}
