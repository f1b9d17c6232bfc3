import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol

/// A stored row that does not decode is an error, never a default: the client gets 20000
/// aop.unknow-error and nothing moves.
@Suite struct CorruptRowTests {
    let api = OpenAPITests()
    static let paidTrade = "2026112222001400000002"

    func refundAnswer(_ world: TestWorld) async throws -> [String: String] {
        try await world.app().test(.router) { client in
            try await api.call(client, try api.request(world, method: "alipay.trade.refund",
                                                       biz: #"{"trade_no":"\#(Self.paidTrade)","refund_amount":"5.00"}"#)).object
        }
    }

    @Test(arguments: WorldStore.available)
    func undecodableTradeDetailsAreAnErrorNotAnEmptyDocument(store: WorldStore) async throws {
        let world = try await TestWorld.make(store: store, onDisk: true)
        let before = try await world.gateway.store.audit()
        try await world.tamper("UPDATE trades SET details = '{\"refundedFen\": \"lots\"' WHERE trade_no = '\(Self.paidTrade)'")
        let answer = try await refundAnswer(world)
        #expect(answer["code"] == "20000" && answer["sub_code"] == "aop.unknow-error")
        #expect(try await world.gateway.store.audit() == before, "nothing moved")
        await #expect(throws: StoreError.self) { try await world.gateway.store.trade(tradeNo: Self.paidTrade) }
    }

    @Test(arguments: WorldStore.available)
    func anUnknownTradeStatusIsAnErrorNotAMissingTrade(store: WorldStore) async throws {
        let world = try await TestWorld.make(store: store, onDisk: true)
        let before = try await world.gateway.store.audit()
        if store == .postgres { try await world.tamper("ALTER TABLE trades DROP CONSTRAINT trades_status_check") }
        try await world.tamper("UPDATE trades SET status = 'TRADE_PENDING' WHERE trade_no = '\(Self.paidTrade)'",
                               sqliteFirst: "PRAGMA ignore_check_constraints = ON")
        let answer = try await refundAnswer(world)
        #expect(answer["code"] == "20000" && answer["sub_code"] == "aop.unknow-error", "not ACQ.TRADE_NOT_EXIST")
        #expect(try await world.gateway.store.audit() == before, "nothing moved")
    }
}
