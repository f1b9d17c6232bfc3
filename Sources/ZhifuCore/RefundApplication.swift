import Foundation
import ZhifuProtocol

/// A refund accepted by `alipay.trade.refund.apply` (异步退款): made at once when it can be, and
/// otherwise — the seller's balance short — tried again on the gateway clock until it can, or
/// until ``TradeService/refundApplicationSeconds`` have passed. `alipay.trade.fastpay.refund.query`
/// shows it as REFUND_PROCESSING meanwhile.
public struct RefundApplication: Sendable, Equatable {
    public enum Status: String, Sendable {
        case processing = "REFUND_PROCESSING"
        case success = "REFUND_SUCCESS"
        case fail = "REFUND_FAIL"
    }

    public var tradeNo: String
    public var outRequestNo: String
    public var amount: Amount
    public var reason: String?
    public var status: Status
    public var attempts: Int
    public var nextAttemptAt: Date
    /// The sub_code that ended a failed application.
    public var failure: String?
    public var createdAt: Date

    public init(tradeNo: String, outRequestNo: String, amount: Amount, reason: String?, status: Status, attempts: Int, nextAttemptAt: Date,
                failure: String?, createdAt: Date) {
        self.tradeNo = tradeNo; self.outRequestNo = outRequestNo; self.amount = amount; self.reason = reason; self.status = status
        self.attempts = attempts; self.nextAttemptAt = nextAttemptAt; self.failure = failure; self.createdAt = createdAt
    }
}

public protocol RefundApplicationRepository: Sendable {
    /// Returns `false` when `(trade_no, out_request_no)` is taken.
    func insertRefundApplication(_ application: RefundApplication) async throws -> Bool
    func refundApplication(tradeNo: String, outRequestNo: String) async throws -> RefundApplication?
    /// Applications still processing whose next attempt is due, oldest first.
    func dueRefundApplications(now: Date, limit: Int) async throws -> [RefundApplication]
    /// Stores an attempt's outcome unless another node recorded one since (`attemptsBefore`).
    func recordRefundApplication(_ application: RefundApplication, attemptsBefore: Int) async throws -> Bool
}

extension TradeService {
    /// How long an application keeps being retried while the seller's balance is short.
    public static let refundApplicationSeconds: Int64 = 86_400
    /// The wait between two attempts.
    public static let refundApplicationRetrySeconds: Int64 = 60

    /// `alipay.trade.refund.apply`: what `refund` refuses for good is refused now; the rest is
    /// accepted once per out_request_no and made at once when the seller's balance allows.
    public func applyRefund(_ trade: Trade, amount: Amount, outRequestNo: String, reason: String?) async throws -> RefundApplication {
        let trade = try await current(trade)
        if let existing = try await store.refundApplication(tradeNo: trade.tradeNo, outRequestNo: outRequestNo) {
            guard existing.amount == amount else { throw TradeFailure.contextInconsistent }
            return existing
        }
        if let refunded = try await store.refund(tradeNo: trade.tradeNo, outRequestNo: outRequestNo) {
            // Refunded by alipay.trade.refund under the same number: the same request, already done.
            guard refunded.amount == amount else { throw TradeFailure.contextInconsistent }
            return RefundApplication(tradeNo: trade.tradeNo, outRequestNo: outRequestNo, amount: amount, reason: refunded.reason, status: .success,
                                     attempts: 0, nextAttemptAt: refunded.createdAt, failure: nil, createdAt: refunded.createdAt)
        }
        switch trade.status {
        case .tradeSuccess: break
        case .waitBuyerPay, .tradeClosed: throw TradeFailure.tradeStatusError
        case .tradeFinished: throw TradeFailure.tradeNotAllowRefund
        }
        guard amount.fen > 0, amount <= trade.refundable else { throw TradeFailure.refundAmtNotEqualTotal }
        let now = clock.now
        let application = RefundApplication(tradeNo: trade.tradeNo, outRequestNo: outRequestNo, amount: amount, reason: reason, status: .processing,
                                            attempts: 0, nextAttemptAt: now, failure: nil, createdAt: now)
        guard try await store.insertRefundApplication(application) else {
            return try await applyRefund(trade, amount: amount, outRequestNo: outRequestNo, reason: reason)
        }
        return try await attempt(application)
    }

    public func refundApplication(tradeNo: String, outRequestNo: String) async throws -> RefundApplication? {
        try await store.refundApplication(tradeNo: tradeNo, outRequestNo: outRequestNo)
    }

    /// Tries due applications again (the trade sweeper calls this); returns how many it tried.
    func retryRefundApplications(limit: Int) async throws -> Int {
        let due = try await store.dueRefundApplications(now: clock.now, limit: limit)
        for application in due { _ = try await attempt(application) }
        return due.count
    }

    /// One attempt: refunded (SUCCESS), the seller still short (tried again later, or FAIL once the
    /// window has passed), or refused for good (FAIL with the sub_code).
    private func attempt(_ application: RefundApplication) async throws -> RefundApplication {
        let now = clock.now
        var next = application
        next.attempts += 1
        do {
            guard let trade = try await store.trade(tradeNo: application.tradeNo) else { throw TradeFailure.tradeNotExist }
            _ = try await refund(trade, amount: application.amount, outRequestNo: application.outRequestNo, reason: application.reason)
            next.status = .success
        } catch TradeFailure.sellerBalanceNotEnough {
            let deadline = application.createdAt.addingTimeInterval(TimeInterval(Self.refundApplicationSeconds))
            next.nextAttemptAt = now.addingTimeInterval(TimeInterval(Self.refundApplicationRetrySeconds))
            if next.nextAttemptAt > deadline {
                next.status = .fail
                next.failure = TradeFailure.sellerBalanceNotEnough.rawValue
            }
        } catch let failure as TradeFailure where failure != .systemError {
            next.status = .fail
            next.failure = failure.rawValue
        }
        guard try await store.recordRefundApplication(next, attemptsBefore: application.attempts) else {
            return try await store.refundApplication(tradeNo: application.tradeNo, outRequestNo: application.outRequestNo) ?? next
        }
        return next
    }
}
