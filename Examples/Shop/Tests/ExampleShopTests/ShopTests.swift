import AsyncHTTPClient
import ExampleShop
import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import Testing
import ZhifuProtocol
import ZhifuSDK
import ZhifuTesting

/// The example shop end to end against ZhifuTesting's sandbox: order → page.pay → the buyer pays on
/// the cashier → the notification reaches the shop → the order is paid. What a merchant's own tests look like.
@Suite struct ShopTests {
    @Test func anOrderIsPaidOnlyByItsVerifiedNotification() async throws {
        let sandbox = try await ZhifuSandbox.start()
        let port = try ZhifuSandbox.freePort()
        let shop = Shop(alipay: sandbox.client, verifier: NotificationVerifier(alipayPublicKey: sandbox.gateway.privateKey.publicKey),
                        publicURL: "http://127.0.0.1:\(port)")
        let server = Task { try await Application(router: shop.router(), configuration: .init(address: .hostname("127.0.0.1", port: port))).runService() }
        let browser = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        do {
            func call(_ method: NIOHTTP1.HTTPMethod, _ path: String, body: String? = nil) async throws -> (Int, String) {
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)" + path)
                request.method = method
                if let body {
                    request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8")
                    request.body = .bytes(ByteBuffer(string: body))
                }
                let response = try await browser.execute(request, timeout: .seconds(30))
                return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)))
            }
            func json(_ text: String) -> [String: String] {
                (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String]) ?? [:]
            }
            var created: (Int, String) = (0, "")
            for _ in 0..<200 where created.0 != 201 {
                created = (try? await call(.POST, "/orders?sku=tea")) ?? (0, "")
                if created.0 != 201 { try await Task.sleep(for: .milliseconds(20)) }
            }
            let order = json(created.1)
            let id = try #require(order["id"]), payURL = try #require(order["pay_url"])

            // The buyer's browser opens page.pay: Alipay (here Zhifu) sends it on to the cashier.
            let redirect = try await browser.execute(HTTPClientRequest(url: payURL), timeout: .seconds(30))
            let location = try #require(redirect.headers.first(name: "Location"))
            let tradeNo = try #require(location.split(separator: "/").last.map { String($0.prefix { $0 != "?" }) })
            #expect(json(try await call(.GET, "/orders/\(id)").1)["status"] == "WAIT_PAY")
            try await sandbox.buyer().pay(tradeNo: tradeNo)

            var status = ""
            for _ in 0..<500 where status != "PAID" {
                status = json(try await call(.GET, "/orders/\(id)").1)["status"] ?? ""
                if status != "PAID" { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(status == "PAID" && shop.order(id)?.tradeNo == tradeNo)

            // A notification that is not Alipay's changes nothing and is answered `fail`.
            let other = json(try await call(.POST, "/orders?sku=coffee").1)["id"] ?? ""
            let forged = Parameters([("notify_type", "trade_status_sync"), ("notify_id", "x"), ("notify_time", "2026-11-24 10:00:00"),
                                     ("app_id", sandbox.demo.appId), ("trade_no", "1"), ("out_trade_no", other), ("trade_status", "TRADE_SUCCESS"),
                                     ("total_amount", "25.00"), ("sign_type", "RSA2"), ("sign", "AAAA")])
            #expect(try await call(.POST, "/alipay/notify", body: FormCoding.encode(forged, charset: .utf8)).1 == "fail")
            #expect(shop.order(other)?.status == "WAIT_PAY")
        } catch {
            Issue.record(error)
        }
        try await browser.shutdown()
        server.cancel()
        await sandbox.stop()
    }
}
