import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol

/// `/admin/api`: the console's actions as JSON behind the admin token, and nothing without it.
@Suite struct AdminAPITests {
    let api = OpenAPITests()
    static let token = "admin-token-for-tests-0123456789"

    func call(_ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, token: String? = Self.token,
              form: String = "") async throws -> (HTTPResponse.Status, [String: Any]?, [[String: Any]]?) {
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: ByteBuffer(string: form)) { response in
            let json = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))
            return (response.status, json as? [String: Any], json as? [[String: Any]])
        }
    }

    /// Filters by state, notify type and the start of the URL, the same on both stores (case
    /// counts, `%` and `_` are plain characters), on the admin API and the console page.
    @Test(arguments: WorldStore.available)
    func notificationsAreFilteredByStateTypeAndURLPrefix(store: WorldStore) async throws {
        let world = try await TestWorld.make(store: store, operatorPassword: ConsoleTests.password, adminToken: Self.token)
        let now = world.gateway.clock.now, partner = UserId(TestWorld.partner)!
        func notification(_ type: String, _ url: String) -> OutboxNotification {
            OutboxNotification(notifyId: SecureRandom.alphanumeric(24), partner: partner, notifyURL: url, notifyType: type, protocol: .mapi, signType: .md5,
                               charset: .utf8, parameters: Parameters([("batch_no", "b")]), nextAttemptAt: now.addingTimeInterval(3_600), createdAt: now)
        }
        try await world.gateway.store.insertNotifications([
            notification("batch_trans_notify", "http://shop.test/a/notify"), notification("batch_trans_notify", "http://SHOP.test/a/notify"),
            notification("trade_status_sync", "http://shop.test/b/notify"), notification("bptb_result_notify", "http://shop.test/a%_/n"),
        ])
        try await world.app().test(.router) { client in
            func count(_ query: String) async throws -> Int? { try await call(client, .get, "/admin/api/notifications?" + query).2?.count }
            #expect(try await count("") == 4)
            #expect(try await count("type=batch_trans_notify") == 2)
            #expect(try await count("url=http://shop.test/a") == 2, "case-sensitive prefix")
            #expect(try await count("url=http://shop.test/a%25_") == 1, "% and _ are characters, not patterns")
            #expect(try await count("type=trade_status_sync&url=http://shop.test/a") == 0)
            #expect(try await count("status=PENDING&type=bptb_result_notify") == 1)
            #expect(try await count("status=ACKNOWLEDGED") == 0)
            let console = ConsoleTests()
            let (_, cookie) = try await console.login(client)
            let page = try await console.get(client, "/console/notifications?type=trade_status_sync", cookie: cookie).1
            #expect(page.contains("http://shop.test/b/notify") && !page.contains("http://shop.test/a/notify"))
            #expect(page.contains("value=\"trade_status_sync\""))
        }
    }

    @Test func everyActionNeedsTheTokenAndAnswersJSON() async throws {
        let world = try await TestWorld.make(adminToken: Self.token)
        try await world.app().test(.router) { client in
            for (method, uri) in [(HTTPRequest.Method.get, "/admin/api/audit"), (.get, "/admin/api/faults"), (.post, "/admin/api/clock/advance?seconds=1"),
                                  (.get, "/admin/api/notifications"), (.get, "/admin/api/trades/2026112222001400000002")] {
                #expect(try await call(client, method, uri, token: nil).0 == .unauthorized, "\(uri)")
                #expect(try await call(client, method, uri, token: "wrong").0 == .unauthorized, "\(uri)")
            }
            let audit = try await call(client, .get, "/admin/api/audit")
            #expect(audit.0 == .ok && audit.1?["balanced"] as? Bool == true)

            let before = world.gateway.clock.now
            let advanced = try await call(client, .post, "/admin/api/clock/advance?seconds=3600")
            #expect(advanced.0 == .ok && world.gateway.clock.now == before.addingTimeInterval(3600))
            #expect(try await call(client, .post, "/admin/api/clock/advance?seconds=-5").0 == .badRequest)

            let created = try await api.call(client, try api.request(world, method: "alipay.trade.create",
                                                                     biz: #"{"out_trade_no":"soon","total_amount":"1.00","subject":"s","timeout_express":"5m"}"#)).object
            #expect(created["code"] == "10000")
            let expiry = try #require(try await world.gateway.store.nextTradeExpiry())
            let jumped = try await call(client, .post, "/admin/api/clock/next")
            #expect(jumped.0 == .ok && world.gateway.clock.now >= expiry && world.gateway.clock.now < expiry.addingTimeInterval(1), "to the timeout, no further")
            let closed = try await api.call(client, try api.request(world, method: "alipay.trade.query", biz: #"{"out_trade_no":"soon"}"#)).object
            #expect(closed["trade_status"] == "TRADE_CLOSED")

            let added = try await call(client, .post, "/admin/api/faults", form: "kind=method&target=alipay.trade.query&answer=ACQ.SYSTEM_ERROR&count=1")
            let id = try #require(added.1?["id"] as? String)
            #expect(added.0 == .ok && added.1?["remaining"] as? Int == 1)
            let query = try await api.call(client, try api.request(world, method: "alipay.trade.query", biz: #"{"out_trade_no":"order-paid"}"#)).object
            #expect(query["sub_code"] == "ACQ.SYSTEM_ERROR")
            #expect(try await call(client, .get, "/admin/api/faults").2?.first?["fired"] as? Int == 1)
            #expect(try await call(client, .post, "/admin/api/faults/\(id)/off").0 == .ok)
            #expect(try await call(client, .post, "/admin/api/faults", form: "kind=notify&target=ftp://x&answer=500").0 == .badRequest)

            let story = try await call(client, .get, "/admin/api/trades/2026112222001400000002")
            #expect(story.0 == .ok && story.1?["status"] as? String == "TRADE_SUCCESS" && (story.1?["events"] as? [Any])?.isEmpty == false)
            #expect(try await call(client, .get, "/admin/api/trades/nope").0 == .notFound)
            #expect(try await call(client, .post, "/admin/api/notifications/nope/resend").0 == .notFound)
        }
    }
}
