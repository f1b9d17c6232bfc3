import Foundation
import ZhifuProtocol

/// Why the domain refused a refund batch or its confirmation; the gateway answers each with
/// seed 001's code (RefundFastpayByPlatformPwd).
public enum RefundBatchFailure: Error, Equatable, Sendable {
    case sellerNotFound
    case duplicateBatchNo(String)
    /// batch_no must start with today's date on the gateway clock.
    case batchNoNotToday(String)
    case sellerBlocked
    case confirmPageExpired
    case alreadyConfirmed
    /// The logon id on the confirm form is not the seller's.
    case wrongSeller
    case wrongPassword(remaining: Int)
    case busy
}

/// `refund_fastpay_by_platform_pwd` (seed 001): refunds of paid trades in one batch, confirmed by
/// the seller's payment password. Each record is a refund of its trade through ``TradeService``
/// (one set of rules with `alipay.trade.refund`), with the batch number as its `out_request_no`:
/// a record is refunded once however often the batch is run, so a crash resumes safely.
public struct BatchRefundService: Sendable {
    public static let serviceName = "refund_fastpay_by_platform_pwd"
    /// 一笔交易可以多次退款，退款次数最多不能超过 99 次.
    public static let maximumRefundsPerTrade = 99
    let store: any Store
    let clock: any Clock
    let calendar: BusinessCalendar
    let trades: TradeService
    let passwords: PaymentPasswordCheck

    public init(store: any Store, clock: any Clock, calendar: BusinessCalendar, trades: TradeService, passwords: PaymentPasswordCheck) {
        self.store = store; self.clock = clock; self.calendar = calendar; self.trades = trades; self.passwords = passwords
    }

    /// Stores the batch, or returns the one stored under this `batch_no` when the content is the same.
    public func submit(_ command: RefundBatchCommand, partner: UserId, signType: SignType, charset: Charset) async throws -> RefundBatch {
        if let existing = try await store.refundBatch(partner: partner, batchNo: command.batchNo) {
            guard existing.fingerprint == command.fingerprint else { throw RefundBatchFailure.duplicateBatchNo(command.batchNo) }
            return existing
        }
        let now = clock.now
        let today = calendar.day(now)
        guard command.batchNo.hasPrefix(today) else { throw RefundBatchFailure.batchNoNotToday(today) }
        let seller: Account? = if let id = command.sellerUserId { try await store.account(userId: id) } else if let email = command.sellerEmail {
            try await store.account(logonId: email)
        } else { nil }
        guard let seller, seller.kind != .clearing else { throw RefundBatchFailure.sellerNotFound }
        guard !seller.isBlocked(at: now) else { throw RefundBatchFailure.sellerBlocked }
        let batch = RefundBatch(id: today + SecureRandom.digits(10), partner: partner, batchNo: command.batchNo, fingerprint: command.fingerprint,
                                seller: seller.userId, refundDate: command.refundDate, notifyURL: command.notifyURL, signType: signType,
                                charset: charset, status: .waitConfirm, token: SecureRandom.alphanumeric(32), createdAt: now,
                                records: command.details.map(RefundBatchRecord.init))
        if let raced = try await store.insertRefundBatch(batch) {
            guard raced.fingerprint == command.fingerprint else { throw RefundBatchFailure.duplicateBatchNo(command.batchNo) }
            return raced
        }
        return batch
    }

    /// The batch a confirm form names, if its one-time token is the batch's (compared in constant time).
    public func batch(id: String, token: String) async throws -> RefundBatch? {
        guard let batch = try await store.refundBatch(id: id), ConstantTime.equals(Array(batch.token.utf8), Array(token.utf8)) else { return nil }
        return batch
    }

    public enum ConfirmOutcome: Sendable {
        case refunded(RefundBatch)
        case failed(RefundBatchFailure)
    }

    /// Checks the seller's logon id and payment password against the batch's token, then refunds.
    public func confirm(token: String, logonId: String, password: String, batchId: String) async throws -> ConfirmOutcome {
        guard let batch = try await batch(id: batchId, token: token) else { return .failed(.confirmPageExpired) }
        guard batch.status == .waitConfirm else { return .failed(.alreadyConfirmed) }
        switch try await passwords.confirm(logonId: logonId, of: batch.seller, password: password) {
        case nil: return .failed(.wrongSeller)
        case .blocked?: return .failed(.sellerBlocked)
        case .wrong(let remaining)?: return .failed(.wrongPassword(remaining: remaining))
        case .busy?: return .failed(.busy)
        case .accepted?: break
        }
        guard try await store.markRefundBatchProcessing(id: batch.id) else { return .failed(.alreadyConfirmed) }
        var processing = batch
        processing.status = .processing
        return .refunded(try await process(processing))
    }

    /// Refunds every record of a PROCESSING batch in order, then completes the batch with its
    /// notification in one transaction. Running it again (after a crash) refunds nothing twice.
    @discardableResult
    func process(_ batch: RefundBatch) async throws -> RefundBatch {
        var done = batch
        for index in done.records.indices {
            let (result, feeResult) = try await refund(done.records[index], of: done, seq: index)
            done.records[index].result = result
            done.records[index].feeResult = feeResult
            FaultInjection.reached(FaultInjection.batchRefundRecord)
        }
        done.status = .completed
        let notification = Self.notification(done, now: clock.now)
        guard try await store.completeRefundBatch(id: batch.id, records: done.records, notification: notification) else {
            return try await store.refundBatch(id: batch.id) ?? done
        }
        return done
    }

    /// One record: the trade's refund, then the service fee back from the clearing account.
    func refund(_ record: RefundBatchRecord, of batch: RefundBatch, seq: Int) async throws -> (String, String?) {
        guard let trade = try await store.trade(tradeNo: record.tradeNo), trade.partner == batch.partner else {
            return (MAPIError.notThisPartnersTrade.rawValue, record.feeRefund.map { _ in MAPIError.notThisPartnersTrade.rawValue })
        }
        guard trade.partner == batch.seller else {
            return (MAPIError.notThisSellerTrade.rawValue, record.feeRefund.map { _ in MAPIError.notThisSellerTrade.rawValue })
        }
        let result: String
        do {
            _ = try await trades.refund(trade, amount: record.tradeNoAmount, outRequestNo: batch.batchNo, reason: record.reason,
                                        maximumRefunds: Self.maximumRefundsPerTrade)
            result = RefundBatchRecord.success
        } catch let failure as TradeFailure where failure != .systemError {
            result = Self.code(failure).rawValue
        }
        guard let fee = record.feeRefund else { return (result, nil) }
        guard result == RefundBatchRecord.success else { return (result, result) }
        guard let payee = try await store.account(logonId: fee.account), payee.userId.rawValue == fee.userId, payee.kind != .clearing else {
            return (result, MAPIError.resultAccountNoNotValid.rawValue)
        }
        let transfer = Transfer(id: "\(batch.id)-fee-\(seq)", debit: SystemAccounts.clearing, credit: payee.userId, amount: fee.amount,
                                code: .refundFee, reference: record.tradeNo, createdAt: clock.now)
        let posted = try await store.post([transfer])[0]
        return (result, posted.isPosted ? RefundBatchRecord.success : MAPIError.refundChargeFeeError.rawValue)
    }

    /// Seed 001's code for the trade rules' refusals.
    static func code(_ failure: TradeFailure) -> MAPIError {
        switch failure {
        case .sellerBalanceNotEnough: .txnResultAccountBalanceNotEnough
        case .refundAmtNotEqualTotal, .contextInconsistent: .refundAmountNotValid
        case .tradeNotExist: .notThisPartnersTrade
        default: .tradeStatusError
        }
    }

    /// `batch_refund_notify` (seed 001 §5.2), or `nil` without a notify_url.
    static func notification(_ batch: RefundBatch, now: Date) -> OutboxNotification? {
        guard let notifyURL = batch.notifyURL else { return nil }
        let parameters = Parameters([("batch_no", batch.batchNo), ("success_num", String(batch.successCount)), ("result_details", batch.resultDetails)])
        return OutboxNotification(notifyId: Hex.lowercase(SecureRandom.bytes(16)), partner: batch.partner, notifyURL: notifyURL,
                                  notifyType: "batch_refund_notify", protocol: .mapi, signType: batch.signType, charset: batch.charset,
                                  parameters: parameters, nextAttemptAt: now, createdAt: now)
    }

    /// Finishes batches a crash left PROCESSING; called at start.
    public func resume() async throws -> Int {
        let ids = try await store.refundBatchIds(status: .processing)
        for id in ids {
            if let batch = try await store.refundBatch(id: id), batch.status == .processing { try await process(batch) }
        }
        return ids.count
    }
}
