import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol

@Suite struct MetricsTests {
    @Test func requestsAreCountedByServiceOrMethodAndResultCode() async throws {
        let world = try await TestWorld.make()
        let api = OpenAPITests()
        try await world.app().test(.router) { client in
            _ = try await api.call(client, try api.request(world, method: "alipay.trade.query", biz: #"{"out_trade_no":"order-paid"}"#))
            _ = try await api.call(client, try api.request(world, method: "alipay.trade.query", biz: #"{"out_trade_no":"nope"}"#))
            _ = try await client.get("/gateway.do?service=batch_trans_notify&partner=2088000000000000")
            _ = try await client.get("/gateway.do?service=no_such_service_\(UUID().uuidString)")
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.headers[.init("Request-Id")!]?.count == 16, "each response names its request")
            }
            let metrics = try await client.get("/metrics").1
            #expect(metrics.contains(#"zhifu_requests_total{route="/gateway.do",name="alipay.trade.query",result="10000",status="200"} 1"#), "\(metrics)")
            #expect(metrics.contains(#"name="alipay.trade.query",result="ACQ.TRADE_NOT_EXIST",status="200"} 1"#))
            #expect(metrics.contains(#"name="batch_trans_notify",result="ILLEGAL_PARTNER""#))
            #expect(metrics.contains(#"name="unknown",result="ILLEGAL_SERVICE""#), "unknown services do not become labels")
            #expect(!metrics.contains("no_such_service"))
            #expect(metrics.contains("zhifu_request_duration_seconds"))
        }
    }
}
