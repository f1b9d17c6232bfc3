import Foundation
import Testing
import ZhifuCore
import ZhifuProtocol
@testable import ZhifuStore

/// A trade's change is all or nothing, whichever part falls short (on PostgreSQL it is one
/// statement, migration v21; on SQLite one transaction), and the outcome named is the first in
/// precedence: a stale trade, then the payment code, then the postings in order.
@Suite struct TradeChangeTests {
    struct World {
        let store: any Store
        let ids = Ids()
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        var merchant: UserId { ids.user(1) }
        var buyer: UserId { ids.user(2) }

        init(kind: StoreKind) async throws {
            store = try await kind.make()
            _ = try await store.insertAccount(SystemAccounts.clearingAccount)
            try await makeAccount(store, ids.user(1), ids: ids)
            try await makeAccount(store, ids.user(2), funded: 1_000, ids: ids)
            try await store.upsertMerchant(Merchant(partner: ids.user(1), md5Key: nil, rsaPublicKey: nil, dsaPublicKey: nil, services: []))
        }

        func paidTrade(_ outTradeNo: String, fen: Int64 = 600) -> Trade {
            var details = TradeDetails()
            details.paidAt = now
            return Trade(tradeNo: "t\(ids.run)\(outTradeNo)", partner: merchant, buyer: buyer, outTradeNo: outTradeNo, amount: Amount(fen: fen),
                         status: .tradeSuccess, createdAt: now, details: details)
        }

        func payment(_ n: Int, of trade: Trade, fen: Int64? = nil) -> Transfer {
            Transfer(id: ids.transfer(n), debit: buyer, credit: merchant, amount: fen.map(Amount.init(fen:)) ?? trade.amount, code: .tradePay,
                     reference: trade.tradeNo, createdAt: now)
        }

        func notification(_ n: Int) -> OutboxNotification {
            OutboxNotification(notifyId: "n\(ids.run)-\(n)", partner: merchant, notifyURL: "http://127.0.0.1:1/notify", notifyType: "trade_status_sync",
                               protocol: .openapi, signType: .rsa2, charset: .utf8, parameters: Parameters([("trade_status", "TRADE_SUCCESS")]),
                               nextAttemptAt: now, createdAt: now)
        }

        func issueCode(expiring seconds: TimeInterval = 60) async throws -> String {
            let code = PaymentCode(code: "28" + SecureRandom.digits(16), buyer: buyer, expiresAt: now.addingTimeInterval(seconds))
            try await store.insertPaymentCode(code)
            return code.code
        }

        /// Nothing of `trade`'s change is stored, and no money moved.
        func expectNothingStored(of trade: Trade, notifyId: String) async throws {
            #expect(try await store.trade(tradeNo: trade.tradeNo) == nil)
            #expect(try await store.notification(notifyId: notifyId) == nil)
            #expect(try await store.transfers(reference: trade.tradeNo).isEmpty)
            #expect(try await store.account(userId: buyer)?.balance == Amount(fen: 1_000))
            #expect(try await store.account(userId: merchant)?.balance == Amount(fen: 0))
        }
    }

    @Test(arguments: StoreKind.available)
    func aNewTradePaidWithAnUnusableCodeLeavesNothingBehind(kind: StoreKind) async throws {
        let world = try await World(kind: kind)
        let trade = world.paidTrade("code"), expired = try await world.issueCode(expiring: -1)
        let change = TradeUpdate(trade: trade, transfers: [world.payment(1, of: trade)], paymentCode: (expired, world.now),
                                 notifications: [world.notification(1)], isNew: true)
        #expect(try await world.store.updateTrade(change) == .paymentCodeUnusable)
        try await world.expectNothingStored(of: trade, notifyId: world.notification(1).notifyId)
        #expect(try await world.store.paymentCode(expired)?.usedAt == nil)
        try await world.store.close()
    }

    /// The second posting is refused after the first moved money: the first is undone with it.
    @Test(arguments: StoreKind.available)
    func aLaterPostingRefusedUndoesTheEarlierOnes(kind: StoreKind) async throws {
        let world = try await World(kind: kind)
        let trade = world.paidTrade("split", fen: 1_100), code = try await world.issueCode()
        let change = TradeUpdate(trade: trade, transfers: [world.payment(1, of: trade, fen: 600), world.payment(2, of: trade, fen: 500)],
                                 paymentCode: (code, world.now), notifications: [world.notification(1)], isNew: true)
        #expect(try await world.store.updateTrade(change) == .refused(.exceedsBalance))
        try await world.expectNothingStored(of: trade, notifyId: world.notification(1).notifyId)
        #expect(try await world.store.paymentCode(code)?.usedAt == nil, "the code is still usable")
        #expect(try await world.store.audit().isBalanced)
        try await world.store.close()
    }

    /// A change that lost its race is stale even when its code and money fall short too.
    @Test(arguments: StoreKind.available)
    func aStaleTradeIsNamedBeforeItsCodeAndItsMoney(kind: StoreKind) async throws {
        let world = try await World(kind: kind)
        let trade = world.paidTrade("race"), code = try await world.issueCode()
        let first = TradeUpdate(trade: trade, transfers: [world.payment(1, of: trade)], paymentCode: (code, world.now),
                                notifications: [world.notification(1)], isNew: true)
        #expect(try await world.store.updateTrade(first) == .changed)
        var twin = trade
        twin.tradeNo += "b"
        let second = TradeUpdate(trade: twin, transfers: [world.payment(2, of: twin, fen: 5_000)], paymentCode: (code, world.now),
                                 notifications: [world.notification(2)], isNew: true)
        #expect(try await world.store.updateTrade(second) == .stale)
        #expect(try await world.store.notification(notifyId: world.notification(2).notifyId) == nil)
        #expect(try await world.store.account(userId: world.merchant)?.balance == Amount(fen: 600))
        try await world.store.close()
    }

    /// A used code is named before money the buyer does not have.
    @Test(arguments: StoreKind.available)
    func theCodeIsNamedBeforeTheMoney(kind: StoreKind) async throws {
        let world = try await World(kind: kind)
        let trade = world.paidTrade("broke", fen: 5_000), expired = try await world.issueCode(expiring: -1)
        let change = TradeUpdate(trade: trade, transfers: [world.payment(1, of: trade)], paymentCode: (expired, world.now),
                                 notifications: [world.notification(1)], isNew: true)
        #expect(try await world.store.updateTrade(change) == .paymentCodeUnusable)
        try await world.expectNothingStored(of: trade, notifyId: world.notification(1).notifyId)
        try await world.store.close()
    }

    /// Of two postings refused, the first is named, whichever it is.
    @Test(arguments: StoreKind.available)
    func theFirstRefusedPostingIsNamed(kind: StoreKind) async throws {
        let world = try await World(kind: kind)
        let trade = world.paidTrade("two", fen: 5_000), nobody = world.ids.user(7)
        var missing = world.payment(2, of: trade, fen: 1)
        missing.debit = nobody
        for (transfers, expected) in [([world.payment(1, of: trade), missing], TransferResult.exceedsBalance),
                                      ([missing, world.payment(1, of: trade)], .debitAccountNotFound)] {
            let change = TradeUpdate(trade: trade, transfers: transfers, isNew: true)
            #expect(try await world.store.updateTrade(change) == .refused(expected))
        }
        try await world.expectNothingStored(of: trade, notifyId: world.notification(1).notifyId)
        try await world.store.close()
    }

    /// A transfer already posted with the same payload is `exists`: the money moved once, and the
    /// change goes through.
    @Test(arguments: StoreKind.available)
    func aPostingThatExistsCountsAsPosted(kind: StoreKind) async throws {
        let world = try await World(kind: kind)
        let trade = world.paidTrade("again"), payment = world.payment(1, of: trade)
        #expect(try await world.store.post([payment]) == [.created])
        #expect(try await world.store.updateTrade(TradeUpdate(trade: trade, transfers: [payment], isNew: true)) == .changed)
        #expect(try await world.store.trade(tradeNo: trade.tradeNo)?.status == .tradeSuccess)
        #expect(try await world.store.account(userId: world.buyer)?.balance == Amount(fen: 400))
        try await world.store.close()
    }

    /// Two refunds of one request at once, ten times over: one is made, the other finds the trade
    /// moved on (stale), never a duplicate refund row.
    @Test(arguments: StoreKind.available)
    func oneRefundRequestedTwiceAtOnceIsMadeOnce(kind: StoreKind) async throws {
        let world = try await World(kind: kind)
        let trade = world.paidTrade("refunds", fen: 1_000)
        #expect(try await world.store.updateTrade(TradeUpdate(trade: trade, transfers: [world.payment(1, of: trade)], isNew: true)) == .changed)
        for round in 0..<10 {
            var paid = try #require(try await world.store.trade(tradeNo: trade.tradeNo))
            paid.details.refundedFen = Int64(round + 1) * 10
            let refund = TradeRefund(tradeNo: trade.tradeNo, outRequestNo: "r\(round)", amount: Amount(fen: 10), reason: nil, createdAt: world.now)
            let outcomes = try await withThrowingTaskGroup(of: TradeChange.self) { group in
                for attempt in 0..<2 {
                    let back = Transfer(id: world.ids.transfer(100 + round * 2 + attempt), debit: world.merchant, credit: world.buyer,
                                        amount: Amount(fen: 10), code: .tradeRefund, reference: trade.tradeNo, createdAt: world.now)
                    let change = TradeUpdate(trade: paid, transfers: [back], refund: refund, notifications: [world.notification(100 + round * 2 + attempt)])
                    group.addTask { try await world.store.updateTrade(change) }
                }
                return try await group.reduce(into: [TradeChange]()) { $0.append($1) }
            }
            #expect(outcomes.sorted { "\($0)" < "\($1)" } == [.changed, .stale], "\(outcomes)")
        }
        #expect(try await world.store.refunds(tradeNo: trade.tradeNo).count == 10)
        #expect(try await world.store.account(userId: world.merchant)?.balance == Amount(fen: 900))
        #expect(try await world.store.audit().isBalanced)
        try await world.store.close()
    }

    /// The outcomes `zhifu_trade_change` raises read back as the transaction's; anything else is a
    /// corrupt answer, never a guess.
    @Test func aRefusalReadsBackAsItsOutcomeOrIsCorrupt() throws {
        #expect(try TradeChange(SQLRefusal(reason: "stale")) == .stale)
        #expect(try TradeChange(SQLRefusal(reason: "paymentCodeUnusable")) == .paymentCodeUnusable)
        #expect(try TradeChange(SQLRefusal(reason: "refused exceedsBalance")) == .refused(.exceedsBalance))
        for reason in ["refused NULL", "refused ", "changed", ""] {
            #expect(throws: StoreError.self, "\(reason)") { try TradeChange(SQLRefusal(reason: reason)) }
        }
    }

    /// Two requests pay one new order with one code at once, many times over: one pays it, the
    /// other is stale, and the money moves once.
    @Test(arguments: StoreKind.available)
    func oneOrderPaidTwiceAtOnceIsPaidOnce(kind: StoreKind) async throws {
        let world = try await World(kind: kind)
        for round in 0..<10 {
            let code = try await world.issueCode()
            let outcomes = try await withThrowingTaskGroup(of: TradeChange.self) { group in
                for attempt in 0..<2 {
                    var trade = world.paidTrade("twice\(round)", fen: 10)
                    trade.tradeNo += "-\(attempt)"
                    let change = TradeUpdate(trade: trade, transfers: [world.payment(round * 2 + attempt, of: trade)],
                                             paymentCode: (code, world.now), notifications: [world.notification(round * 2 + attempt)], isNew: true)
                    group.addTask { try await world.store.updateTrade(change) }
                }
                return try await group.reduce(into: [TradeChange]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == .changed }.count == 1, "\(outcomes)")
            #expect(outcomes.filter { $0 == .stale }.count == 1, "\(outcomes)")
        }
        #expect(try await world.store.account(userId: world.merchant)?.balance == Amount(fen: 100))
        #expect(try await world.store.account(userId: world.buyer)?.balance == Amount(fen: 900))
        #expect(try await world.store.audit().isBalanced)
        try await world.store.close()
    }
}
