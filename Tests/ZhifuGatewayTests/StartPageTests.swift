import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol
import ZhifuSDK

/// `/` at the address `zhifu serve` prints: what runs, where the pages are, and a quickstart whose
/// MAPI request the gateway really accepts.
@Suite struct StartPageTests {
    @Test func theStartPageShowsWhatRunsAndTheDemoMerchantsQuickstart() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let gateway = try await Gateway.open(configuration(dataDirectory: directory, clock: .manual))
        let demo = try #require(gateway.demo)
        try await buildApplication(gateway: gateway).test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.init("X-Frame-Options")!] == "DENY")
                let page = try bodyText(response)
                for shown in ["<td id=\"store\">sqlite</td>", "manual: ", "href=\"/buyer\"", "href=\"/sandbox/clock\"", demo.merchant.userId.rawValue,
                              demo.appId, directory + "/keys/app_private.pem", directory + "/keys/gateway_public.pem", directory + "/demo.txt"] {
                    #expect(page.contains(shown), "\(shown)")
                }
                #expect(!page.contains(demo.md5Key) && !page.contains("PRIVATE KEY"), "ids and key paths only, never keys")
            }
            // The MAPI quickstart's parameters, signed as its shell lines sign them, open the confirm page.
            let page = try await client.get("/").1
            let line = try #require(page.split(separator: "\n").first { $0.hasPrefix("params=") })
            let text = String(line.dropFirst("params='".count).dropLast("'".count)).replacingOccurrences(of: "&amp;", with: "&")
            let parameters = Parameters(text.split(separator: "&").map { pair in
                let parts = pair.split(separator: "=", maxSplits: 1)
                return (String(parts[0]), String(parts.count > 1 ? parts[1] : ""))
            })
            var signed = parameters
            signed["sign"] = MD5Signer(key: demo.md5Key).sign(Array(SignContent.mapi(parameters).utf8))
            signed["sign_type"] = "MD5"
            let (status, confirm) = try await client.get("/gateway.do?" + (FormCoding.encode(signed, charset: .utf8) ?? ""))
            #expect(status == .ok)
            #expect(confirm.contains("payee@zhifu.test") && confirm.contains("name=\"password\""), "\(confirm.prefix(400))")
        }
    }

    @Test func withFixturesTheStartPageHasNoDemoQuickstart() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let (status, page) = try await client.get("/")
            #expect(status == .ok)
            #expect(page.contains("id=\"no-demo\"") && !page.contains("quickstart-mapi"))
            #expect(page.contains("<td id=\"clock\">manual: "))
        }
    }
}
