import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol

/// mybank.payment.trade.order.create: terminal payments into the merchant's balance, refunds out
/// of it within what the same recon_related_no paid, once per out_trade_no.
@Suite struct MybankTests {
    let api = OpenAPITests()
    static let seller = UserId(TestWorld.partner)!

    func create(_ client: some TestClientProtocol, _ world: TestWorld, _ outTradeNo: String, payType: String = "pay", fen: String = "1250",
                recon: String = "recon-1", extra: String = "") async throws -> (key: String, object: [String: String], sign: String?, raw: String) {
        try await api.call(client, try api.request(world, method: "mybank.payment.trade.order.create", biz: #"{"partner_id":"MB0001","out_trade_no":"\#(outTradeNo)","recon_related_no":"\#(recon)","pd_code":"POS","ev_code":"PAY","total_amount":"\#(fen)","currency_code":"CNY","goods_info":[{"goods_name":"咖啡","goods_price":"12.50"}],"seller_id":"T-001","pay_type":"\#(payType)","pay_date":"2026-11-30 10:00:00"\#(extra)}"#))
    }

    func balance(_ world: TestWorld) async throws -> Int64 { try #require(try await world.gateway.store.account(userId: Self.seller)).balance.fen }

    @Test(arguments: WorldStore.available)
    func paymentsAndRefundsMoveTheMerchantsBalanceOnce(store: WorldStore) async throws {
        let world = try await TestWorld.make(store: store)
        let before = try await balance(world)
        try await world.app().test(.router) { client in
            let paid = try await create(client, world, "mb-1")
            #expect(paid.key == "mybank_payment_trade_order_create_response" && paid.object["code"] == "10000" && paid.sign != nil)
            #expect(try await create(client, world, "mb-1").object["code"] == "10000", "the same order again moves nothing")
            #expect(try await create(client, world, "mb-1", fen: "1251").object["sub_code"] == "ORDER_INFO_INCONSISTENT")
            #expect(try await create(client, world, "mb-r1", payType: "refund", fen: "1251").object["sub_code"] == "REFUND_AMOUNT_EXCEED")
            #expect(try await create(client, world, "mb-r2", payType: "refund", fen: "1250", recon: "other").object["sub_code"] == "REFUND_AMOUNT_EXCEED")
            let refunds = try await withThrowingTaskGroup(of: String?.self) { group in
                for index in 0..<6 { group.addTask { try await create(client, world, "mb-p\(index)", payType: "refund", fen: "500").object["sub_code"] } }
                return try await group.reduce(into: [String?]()) { $0.append($1) }
            }
            #expect(refunds.filter { $0 == nil }.count == 2 && refunds.filter { $0 == "REFUND_AMOUNT_EXCEED" }.count == 4, "\(refunds)")
            for (field, value) in [("total_amount", "12.50"), ("total_amount", "0"), ("pay_type", "void"), ("currency_code", "USD"), ("pay_date", "2026-11-30")] {
                let bad = try await api.call(client, try api.request(world, method: "mybank.payment.trade.order.create", biz: #"{"partner_id":"MB0001","out_trade_no":"bad","recon_related_no":"r","pd_code":"P","ev_code":"E","total_amount":"\#(field == "total_amount" ? value : "100")","currency_code":"\#(field == "currency_code" ? value : "CNY")","goods_info":[{"goods_name":"x","goods_price":"1.00"}],"seller_id":"T","pay_type":"\#(field == "pay_type" ? value : "pay")","pay_date":"\#(field == "pay_date" ? value : "2026-11-30 10:00:00")"}"#))
                #expect(bad.object["sub_code"] == "ACQ.INVALID_PARAMETER" && bad.object["sub_msg"]?.contains(field) == true, "\(field)=\(value)")
            }
        }
        #expect(try await balance(world) == before + 1_250 - 1_000)
        #expect(try await world.gateway.store.audit().isBalanced)
    }
}
