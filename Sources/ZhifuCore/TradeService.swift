import Foundation
import ZhifuProtocol

/// What a merchant asks for when a trade is created (create, pay, precreate, page/wap/app pay).
public struct TradeDraft: Sendable {
    public var partner: UserId
    public var outTradeNo: String
    public var subject: String
    public var amount: Amount
    public var buyer: UserId?
    public var expiresAt: Date?
    public var details: TradeDetails
    /// Hash of the business content: the same `out_trade_no` with other content is refused.
    public var fingerprint: String

    public init(partner: UserId, outTradeNo: String, subject: String, amount: Amount, buyer: UserId?, expiresAt: Date?,
                details: TradeDetails, fingerprint: String) {
        self.partner = partner; self.outTradeNo = outTradeNo; self.subject = subject; self.amount = amount; self.buyer = buyer
        self.expiresAt = expiresAt; self.details = details; self.fingerprint = fingerprint
    }
}

/// Trades (`alipay.trade.*`): creation, payment by payment code or on the cashier page, refunds,
/// closing, cancelling, settlement, timeouts, and the `trade_status_sync` notification of each
/// change. Every change is one ``Store/updateTrade(_:)`` — state, money and notification together —
/// guarded by the trade's version, so two racing requests never both move money.
public struct TradeService: Sendable {
    let store: any Store
    let clock: any Clock
    let calendar: BusinessCalendar
    /// How long a paid trade stays refundable before it becomes TRADE_FINISHED.
    let refundableSeconds: Int64

    public init(store: any Store, clock: any Clock, calendar: BusinessCalendar, refundableSeconds: Int64 = 90 * 86_400) {
        self.store = store; self.clock = clock; self.calendar = calendar; self.refundableSeconds = refundableSeconds
    }

    /// A payment code lives this long, as on the buyer's phone.
    public static let paymentCodeSeconds: Int64 = 60

    // MARK: Reading

    /// The trade as it stands now: an unpaid trade past its expiry is closed first. A precreated
    /// trade nobody has scanned does not exist yet, except for cancel (`includingUnscanned`).
    public func trade(tradeNo: String?, outTradeNo: String?, partner: UserId, includingUnscanned: Bool = false) async throws -> Trade {
        let found = if let tradeNo { try await store.trade(tradeNo: tradeNo) } else if let outTradeNo { try await store.trade(partner: partner, outTradeNo: outTradeNo) } else { Trade?.none }
        guard let found, found.partner == partner, outTradeNo == nil || found.outTradeNo == outTradeNo,
              includingUnscanned || !found.details.isAwaitingScan else { throw TradeFailure.tradeNotExist }
        return try await current(found)
    }

    /// The trade as stored, by its number alone (the buyer's pages, which know no partner).
    public func stored(tradeNo: String) async throws -> Trade? {
        guard tradeNo.utf8.count <= 64 else { return nil }
        return try await store.trade(tradeNo: tradeNo)
    }

    public func refund(tradeNo: String, outRequestNo: String) async throws -> TradeRefund? {
        try await store.refund(tradeNo: tradeNo, outRequestNo: outRequestNo)
    }

    /// Applies what the clock has decided since the trade was stored (timeout_express, the end
    /// of the refund period).
    public func current(_ trade: Trade) async throws -> Trade {
        try await withFreshTrade(trade) { try await applyingClock($0) }
    }

    private func applyingClock(_ trade: Trade) async throws -> Trade {
        let now = clock.now
        if trade.status == .waitBuyerPay, let expiresAt = trade.expiresAt, expiresAt <= now {
            return try await closeIfStill(trade)
        }
        if trade.status == .tradeSuccess, trade.createdAt.addingTimeInterval(TimeInterval(refundableSeconds)) <= now {
            var finished = trade
            finished.status = .tradeFinished
            return try await commit(TradeUpdate(trade: finished, notifications: notification(for: finished)))
        }
        return trade
    }

    /// Closes or finishes what is due and retries refund applications; run periodically so that
    /// merchants are told without asking.
    @discardableResult
    public func sweep(limit: Int = 100) async throws -> Int {
        let now = clock.now
        var tradeNos = try await store.expiredTradeNos(now: now, limit: limit)
        tradeNos += try await store.tradeNos(status: .tradeSuccess, createdBefore: now.addingTimeInterval(-TimeInterval(refundableSeconds)), limit: limit)
        for tradeNo in tradeNos {
            if let trade = try await store.trade(tradeNo: tradeNo) { _ = try await current(trade) }
        }
        return try await tradeNos.count + retryRefundApplications(limit: limit)
    }

    // MARK: Creating

    /// Stores a new trade, or returns the one stored under this `out_trade_no` when the content is
    /// the same (ACQ.CONTEXT_INCONSISTENT otherwise).
    public func create(_ draft: TradeDraft) async throws -> Trade {
        if let existing = try await store.trade(partner: draft.partner, outTradeNo: draft.outTradeNo) {
            guard existing.fingerprint == draft.fingerprint else { throw TradeFailure.contextInconsistent }
            return try await current(existing)
        }
        let trade = newTrade(draft)
        guard try await store.insertTrade(trade) else { return try await raced(draft) }
        return trade
    }

    func newTrade(_ draft: TradeDraft) -> Trade {
        let now = clock.now
        return Trade(tradeNo: calendar.day(now) + "2200" + SecureRandom.digits(16), partner: draft.partner, buyer: draft.buyer,
                     outTradeNo: draft.outTradeNo, amount: draft.amount, status: .waitBuyerPay, createdAt: now, subject: draft.subject,
                     fingerprint: draft.fingerprint, expiresAt: draft.expiresAt, details: draft.details)
    }

    /// The trade another request created under the same out_trade_no meanwhile.
    func raced(_ draft: TradeDraft) async throws -> Trade {
        guard let raced = try await store.trade(partner: draft.partner, outTradeNo: draft.outTradeNo) else { throw TradeFailure.systemError }
        guard raced.fingerprint == draft.fingerprint else { throw TradeFailure.contextInconsistent }
        return raced
    }

    /// `alipay.trade.pay`: creates the trade and pays it with the payment code. A new order is
    /// inserted already paid, in one transaction; an order that exists is paid (or refused) as it
    /// stands. A refused payment leaves the trade waiting, as Alipay does, for the merchant to cancel.
    /// The common case — a new order — costs one transaction and no lookup of the order: a taken
    /// out_trade_no shows up as a refused insert, and the order that exists is judged instead.
    /// `buyer` is the account ``payer(paymentCode:)`` read with the code, so that the payment reads once.
    public func createAndPay(_ draft: TradeDraft, buyer account: Account, paymentCode: String) async throws -> Trade {
        let trade = newTrade(draft), buyer = account.userId
        do {
            var update = try paying(trade, buyer: buyer, account: account, paymentCode: paymentCode)
            update.isNew = true
            return try await commit(update)
        } catch is StaleTrade {
            return try await pay(raced(draft), buyer: buyer, paymentCode: paymentCode)
        } catch let failure as TradeFailure {
            // Refused before anything was stored: the new order stays waiting; an existing one is judged as it stands.
            if try await store.insertTrade(trade) { throw failure }
            return try await pay(raced(draft), buyer: buyer, paymentCode: paymentCode)
        }
    }

    // MARK: Paying

    /// The buyer behind a payment code, if the code is well formed, issued, unused and unexpired.
    public func buyer(paymentCode code: String) async throws -> UserId {
        try await payer(paymentCode: code).userId
    }

    /// The same buyer's account, read with the code in one store call (for ``createAndPay(_:buyer:paymentCode:)``).
    public func payer(paymentCode code: String) async throws -> Account {
        guard PaymentCode.isWellFormed(code), let (stored, account) = try await store.paymentCodeWithBuyer(code), stored.usedAt == nil,
              stored.expiresAt > clock.now else { throw TradeFailure.paymentAuthCodeInvalid }
        return account
    }

    /// Issues a fresh payment code for the buyer's page: 18 digits starting 28, single use.
    public func issuePaymentCode(buyer: UserId) async throws -> PaymentCode {
        let code = PaymentCode(code: "28" + SecureRandom.digits(16), buyer: buyer, expiresAt: clock.now.addingTimeInterval(TimeInterval(Self.paymentCodeSeconds)))
        try await store.insertPaymentCode(code)
        return code
    }

    /// Pays a waiting trade from the buyer's balance; `paymentCode` is used up in the same
    /// transaction. Paying an already paid trade is ACQ.TRADE_HAS_SUCCESS.
    public func pay(_ trade: Trade, buyer: UserId, paymentCode: String? = nil) async throws -> Trade {
        try await withFreshTrade(trade) { try await payOnce($0, buyer: buyer, paymentCode: paymentCode) }
    }

    private func payOnce(_ trade: Trade, buyer: UserId, paymentCode: String?) async throws -> Trade {
        try await commit(paying(current(trade), buyer: buyer, paymentCode: paymentCode))
    }

    /// A buyer opened a precreated trade's QR code: from now on the trade exists, waiting for
    /// payment (a state Alipay does not notify by default).
    public func scanned(_ trade: Trade) async throws -> Trade {
        try await withFreshTrade(trade) { trade in
            let trade = try await current(trade)
            guard trade.details.isAwaitingScan, trade.status == .waitBuyerPay else { return trade }
            var scanned = trade
            scanned.details.awaitingScan = nil
            return try await commit(TradeUpdate(trade: scanned))
        }
    }

    /// The change that pays a waiting trade from the buyer's balance.
    private func paying(_ trade: Trade, buyer: UserId, paymentCode: String?) async throws -> TradeUpdate {
        try paying(trade, buyer: buyer, account: try await store.account(userId: buyer), paymentCode: paymentCode)
    }

    /// The account is judged after the trade's own checks, whenever it was read.
    private func paying(_ trade: Trade, buyer: UserId, account: Account?, paymentCode: String?) throws -> TradeUpdate {
        if let failure = TradeFailure.unpayable(trade.status) { throw failure }
        if let expected = trade.buyer, expected != buyer { throw TradeFailure.paymentAuthCodeInvalid }
        guard buyer != trade.partner else { throw TradeFailure.buyerSellerEqual }
        guard let account, account.kind == .user else { throw TradeFailure.paymentAuthCodeInvalid }
        guard !account.isBlocked(at: clock.now) else { throw TradeFailure.buyerEnableStatusForbid }
        let now = clock.now
        var paid = trade
        paid.status = .tradeSuccess
        paid.buyer = buyer
        paid.details.paidAt = now
        paid.details.awaitingScan = nil
        paid.details.buyerLogonId = account.logonId
        let transfer = Transfer(id: "pay-\(trade.tradeNo)", debit: buyer, credit: trade.partner, amount: trade.payAmount, code: .tradePay,
                                reference: trade.tradeNo, createdAt: now)
        return TradeUpdate(trade: paid, transfers: [transfer], paymentCode: paymentCode.map { ($0, now) },
                           notifications: notification(for: paid, buyer: account))
    }

    // MARK: Refunding, closing, cancelling, settling

    /// Refunds part or all of a paid trade, once per `outRequestNo`; a full refund closes it.
    /// The same request again answers with the stored refund and moves nothing.
    /// `maximumRefunds` caps how many refunds a trade may have (seed 001: 99); beyond it the trade
    /// no longer allows refunds (ACQ.TRADE_NOT_ALLOW_REFUND).
    public func refund(_ trade: Trade, amount: Amount, outRequestNo: String, reason: String?,
                       maximumRefunds: Int = .max, items: ItemRefunds? = nil) async throws -> (trade: Trade, refund: TradeRefund, fundChange: Bool) {
        try await withFreshTrade(trade) {
            try await refundOnce($0, amount: amount, outRequestNo: outRequestNo, reason: reason, maximumRefunds: maximumRefunds, items: items)
        }
    }

    private func refundOnce(_ trade: Trade, amount: Amount, outRequestNo: String, reason: String?,
                            maximumRefunds: Int, items: ItemRefunds?) async throws -> (trade: Trade, refund: TradeRefund, fundChange: Bool) {
        let trade = try await current(trade)
        if let existing = try await store.refund(tradeNo: trade.tradeNo, outRequestNo: outRequestNo) {
            guard existing.amount == amount else { throw TradeFailure.contextInconsistent }
            return (trade, existing, false)
        }
        switch trade.status {
        case .tradeSuccess: break
        case .waitBuyerPay, .tradeClosed: throw TradeFailure.tradeStatusError
        case .tradeFinished: throw TradeFailure.tradeNotAllowRefund
        }
        guard trade.details.refundCount ?? 0 < maximumRefunds else { throw TradeFailure.tradeNotAllowRefund }
        guard amount.fen > 0, amount <= trade.refundable, let buyer = trade.buyer else { throw TradeFailure.refundAmtNotEqualTotal }
        if let items { try await check(items, of: trade) }
        let now = clock.now
        let refund = TradeRefund(tradeNo: trade.tradeNo, outRequestNo: outRequestNo, amount: amount, reason: reason, createdAt: now,
                                 items: items?.amounts.mapValues(\.fen))
        var refunded = trade
        refunded.details.refundedFen += amount.fen
        refunded.details.lastRefundAt = now
        refunded.details.refundCount = (trade.details.refundCount ?? 0) + 1
        if refunded.refundable.fen == 0 && trade.details.settledFen == 0 {
            refunded.status = .tradeClosed
            refunded.details.closedAt = now
        }
        let transfer = Transfer(id: Self.transferId("refund", trade.tradeNo, outRequestNo), debit: trade.partner, credit: buyer, amount: amount,
                                code: .tradeRefund, reference: trade.tradeNo, createdAt: now)
        let updated = try await commit(TradeUpdate(trade: refunded, transfers: [transfer], refund: refund,
                                                   notifications: notification(for: refunded, refund: refund)))
        return (updated, refund, true)
    }

    /// Closes a trade still waiting for payment.
    public func close(_ trade: Trade) async throws -> Trade {
        try await withFreshTrade(trade) { trade in
            let trade = try await current(trade)
            guard trade.status == .waitBuyerPay else { throw TradeFailure.tradeStatusError }
            return try await closeIfStill(trade)
        }
    }

    /// `alipay.trade.cancel`: closes an unpaid trade (`close`) or refunds a paid one in full and
    /// closes it (`refund`). Cancelling again answers the same and moves nothing twice.
    public func cancel(_ trade: Trade) async throws -> (trade: Trade, action: CancelAction) {
        try await withFreshTrade(trade) { try await cancelOnce($0) }
    }

    private func cancelOnce(_ trade: Trade) async throws -> (trade: Trade, action: CancelAction) {
        let trade = try await current(trade)
        let outRequestNo = "cancel-\(trade.tradeNo)"
        switch trade.status {
        case .waitBuyerPay:
            return (try await closeIfStill(trade), .close)
        case .tradeSuccess:
            let result = try await refund(trade, amount: trade.refundable, outRequestNo: outRequestNo, reason: "撤销")
            return (result.trade, .refund)
        case .tradeClosed:
            return (trade, try await store.refund(tradeNo: trade.tradeNo, outRequestNo: outRequestNo) == nil ? .close : .refund)
        case .tradeFinished:
            throw TradeFailure.tradeStatusError
        }
    }

    /// `alipay.trade.order.settle`: pays parts of a paid trade on from the seller to other
    /// accounts (分账), once per `outRequestNo`.
    public func settle(_ trade: Trade, outRequestNo: String, royalties: [(transIn: UserId, amount: Amount)]) async throws -> Trade {
        try await withFreshTrade(trade) { try await settleOnce($0, outRequestNo: outRequestNo, royalties: royalties) }
    }

    private func settleOnce(_ trade: Trade, outRequestNo: String, royalties: [(transIn: UserId, amount: Amount)]) async throws -> Trade {
        let trade = try await current(trade)
        let ids = royalties.indices.map { Self.transferId("settle", trade.tradeNo, "\(outRequestNo)#\($0)") }
        if let first = ids.first, let existing = try await store.transfer(id: first) {
            guard existing.credit == royalties[0].transIn, existing.amount == royalties[0].amount else { throw TradeFailure.contextInconsistent }
            return trade
        }
        guard trade.status.isPaid else { throw TradeFailure.tradeStatusError }
        guard !royalties.isEmpty, royalties.allSatisfy({ $0.amount.fen > 0 }), let total = Amount.sum(royalties.map(\.amount)),
              total <= trade.refundable else { throw TradeFailure.allocAmountValidateError }
        for royalty in royalties {
            guard let account = try await store.account(userId: royalty.transIn), account.kind == .user, !account.isBlocked(at: clock.now),
                  royalty.transIn != trade.partner else { throw TradeFailure.allocAmountValidateError }
        }
        let now = clock.now
        var settled = trade
        settled.details.settledFen += total.fen
        let transfers = zip(ids, royalties).map { Transfer(id: $0, debit: trade.partner, credit: $1.transIn, amount: $1.amount, code: .tradeSettle,
                                                          reference: trade.tradeNo, createdAt: now) }
        return try await commit(TradeUpdate(trade: settled, transfers: transfers))
    }

    // MARK: Internals

    private func closeIfStill(_ trade: Trade) async throws -> Trade {
        var closed = trade
        closed.status = .tradeClosed
        closed.details.closedAt = clock.now
        return try await commit(TradeUpdate(trade: closed, notifications: notification(for: closed)))
    }

    /// Another request changed the trade between reading and writing it.
    struct StaleTrade: Error {}

    /// Runs `body` on the trade; when another request changed the trade first, reads it again
    /// and runs `body` on the new state, whose rules decide again (paid meanwhile: TRADE_HAS_SUCCESS).
    private func withFreshTrade<T>(_ trade: Trade, _ body: (Trade) async throws -> T) async throws -> T {
        var current = trade
        for _ in 0..<8 {
            do { return try await body(current) } catch is StaleTrade {
                guard let reloaded = try await store.trade(tradeNo: trade.tradeNo) else { throw TradeFailure.tradeNotExist }
                current = reloaded
            }
        }
        throw TradeFailure.systemError
    }

    /// Stores the change, all or nothing.
    func commit(_ update: TradeUpdate) async throws -> Trade {
        switch try await store.updateTrade(update) {
        case .changed:
            var stored = update.trade
            stored.version += 1
            return stored
        case .stale:
            throw StaleTrade()
        case .refused(.exceedsBalance):
            throw update.transfers.first?.code == .tradePay ? TradeFailure.buyerBalanceNotEnough : TradeFailure.sellerBalanceNotEnough
        case .refused:
            throw TradeFailure.systemError
        case .paymentCodeUnusable:
            throw TradeFailure.paymentAuthCodeInvalid
        case .holdRefused:
            throw TradeFailure.authAmountNotEnough
        }
    }

    /// Ledger ids are at most 64 bytes; merchants' request numbers can be that long on their own.
    static func transferId(_ kind: String, _ tradeNo: String, _ request: String) -> String {
        "\(kind)-" + Hex.lowercase(Digest.sha256(Array("\(tradeNo)\n\(request)".utf8))).prefix(40)
    }
}
