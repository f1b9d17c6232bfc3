import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol

/// alipay.trade.refund.apply (异步退款): made at once when it can be, retried on the gateway clock
/// while the seller's balance is short, visible to fastpay.refund.query as REFUND_PROCESSING.
@Suite struct RefundApplyTests {
    let api = OpenAPITests()
    static let seller = UserId(TestWorld.partner)!

    func apply(_ client: some TestClientProtocol, _ world: TestWorld, amount: String, requestNo: String = "ra-1") async throws -> [String: String] {
        try await api.call(client, try api.request(world, method: "alipay.trade.refund.apply", biz: #"{"out_trade_no":"order-paid","refund_amount":"\#(amount)","out_request_no":"\#(requestNo)","refund_reason":"破损"}"#)).object
    }

    func query(_ client: some TestClientProtocol, _ world: TestWorld, requestNo: String = "ra-1") async throws -> [String: String] {
        try await api.call(client, try api.request(world, method: "alipay.trade.fastpay.refund.query",
                                                   biz: #"{"out_trade_no":"order-paid","out_request_no":"\#(requestNo)"}"#)).object
    }

    /// Takes the seller's whole balance away (to the clearing account), so a refund must wait.
    func drainSeller(_ world: TestWorld) async throws {
        let balance = try #require(try await world.gateway.store.account(userId: Self.seller)).balance
        let drain = Transfer(id: "drain-seller", debit: Self.seller, credit: SystemAccounts.clearing, amount: balance, code: .adjustment,
                             reference: "test", createdAt: world.gateway.clock.now)
        #expect(try await world.gateway.store.post([drain]) == [.created])
    }

    @Test func anApplicationTheSellerCanPayIsRefundedAtOnceAndOnlyOnce() async throws {
        let world = try await TestWorld.make()
        let before = try #require(try await world.gateway.store.account(userId: Self.seller)).balance
        try await world.app().test(.router) { client in
            let first = try await apply(client, world, amount: "5.00")
            #expect(first["code"] == "10000" && first["refund_status"] == "REFUND_SUCCESS" && first["refund_amount"] == "5.00" && first["out_request_no"] == "ra-1")
            #expect(try await apply(client, world, amount: "5.00")["refund_status"] == "REFUND_SUCCESS")
            #expect(try await apply(client, world, amount: "6.00")["sub_code"] == "ACQ.CONTEXT_INCONSISTENT")
            #expect(try await query(client, world)["refund_status"] == "REFUND_SUCCESS")
            #expect(try await apply(client, world, amount: "15.01", requestNo: "ra-2")["sub_code"] == "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL")
            let missing = try await api.call(client, try api.request(world, method: "alipay.trade.refund.apply",
                                                                     biz: #"{"out_trade_no":"order-paid","refund_amount":"1.00"}"#)).object
            #expect(missing["sub_code"] == "ACQ.INVALID_PARAMETER" && missing["sub_msg"] == "缺少必选参数: out_request_no")
        }
        #expect(try await world.gateway.store.account(userId: Self.seller)?.balance == Amount(fen: before.fen - 500))
        #expect(try await world.gateway.store.audit().isBalanced)
    }

    @Test func aShortSellerIsTriedAgainUntilTheMoneyIsThere() async throws {
        let world = try await TestWorld.make()
        try await drainSeller(world)
        try await world.app().test(.router) { client in
            let accepted = try await apply(client, world, amount: "12.00")
            #expect(accepted["code"] == "10000" && accepted["refund_status"] == "REFUND_PROCESSING")
            let pending = try await query(client, world)
            #expect(pending["refund_status"] == "REFUND_PROCESSING" && pending["refund_amount"] == "12.00" && pending["total_amount"] == "20.00")
            // Still short a minute later: still processing, nothing moved.
            world.gateway.manualClock!.advance(seconds: TradeService.refundApplicationRetrySeconds)
            _ = try await world.gateway.trades.sweep()
            #expect(try await query(client, world)["refund_status"] == "REFUND_PROCESSING")
            // The seller is funded; the next attempt refunds.
            let deposit = Transfer(id: "deposit-seller", debit: SystemAccounts.clearing, credit: Self.seller, amount: Amount(fen: 5_000), code: .funding,
                                   reference: "test", createdAt: world.gateway.clock.now)
            #expect(try await world.gateway.store.post([deposit]) == [.created])
            world.gateway.manualClock!.advance(seconds: TradeService.refundApplicationRetrySeconds)
            _ = try await world.gateway.trades.sweep()
            #expect(try await query(client, world)["refund_status"] == "REFUND_SUCCESS")
            #expect(try await apply(client, world, amount: "12.00")["refund_status"] == "REFUND_SUCCESS")
        }
        #expect(try await world.gateway.store.account(userId: Self.seller)?.balance == Amount(fen: 3_800))
        #expect(try await world.gateway.store.audit().isBalanced)
    }

    @Test func anApplicationStillShortAfterItsWindowFailsAndReadsAsNeverMade() async throws {
        let world = try await TestWorld.make()
        try await drainSeller(world)
        try await world.app().test(.router) { client in
            #expect(try await apply(client, world, amount: "1.00")["refund_status"] == "REFUND_PROCESSING")
            world.gateway.manualClock!.advance(seconds: TradeService.refundApplicationSeconds)
            _ = try await world.gateway.trades.sweep()
            #expect(try await apply(client, world, amount: "1.00")["refund_status"] == "REFUND_FAIL")
            let query = try await query(client, world)
            #expect(query["code"] == "10000" && query["refund_status"] == nil && query["refund_amount"] == nil)
        }
        #expect(try await world.gateway.store.audit().isBalanced)
    }
}
