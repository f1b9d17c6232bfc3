import Foundation
import ZhifuProtocol

/// Why one record of a batch was not paid: the reason field of `fail_details` (seed 000 §6.2).
public enum BatchTransFailureReason: String, Sendable, CaseIterable {
    /// 收款账号不存在.
    case receiveUserNotExist = "RECEIVE_USER_NOT_EXIST"
    /// 收款账号姓名与账户实名不一致.
    case accountNameNotMatch = "ACCOUNT_NAME_NOT_MATCH"
    /// 收款账户状态无效 (blocked), seed 001's code.
    case accountStatusNotValid = "TXN_RESULT_ACCOUNT_STATUS_NOT_VALID"
    /// 付款方与收款方相同, as in seed 000's sample notification.
    case transferOutCanNotEqualIn = "TXN_RESULT_TRANSFER_OUT_CAN_NOT_EQUAL_IN"
    /// 付款账户余额不足, seed 001's code.
    case balanceNotEnough = "TXN_RESULT_ACCOUNT_BALANCE_NOT_ENOUGH"
}

/// A `batch_trans_notify` request as the gateway read it off the wire: every field well formed
/// (the gateway refuses what is not, with the seed's codes); what it means is the domain's to decide.
public struct BatchTransCommand: Sendable {
    public var batchNo: String
    public var accountName: String
    public var details: [BatchTransDetail]
    public var batchFee: Amount
    public var payDate: String
    /// `buyer_account_name`, else `email`: the payer's logon id.
    public var payerLogonId: String
    public var extendParam: String?
    public var notifyURL: String?
    /// Hash of the business parameters as sent: the same `batch_no` is idempotent only for the
    /// same content.
    public var fingerprint: String

    public init(batchNo: String, accountName: String, details: [BatchTransDetail], batchFee: Amount, payDate: String, payerLogonId: String,
                extendParam: String?, notifyURL: String?, fingerprint: String) {
        self.batchNo = batchNo; self.accountName = accountName; self.details = details; self.batchFee = batchFee; self.payDate = payDate
        self.payerLogonId = payerLogonId; self.extendParam = extendParam; self.notifyURL = notifyURL; self.fingerprint = fingerprint
    }
}

/// Why the domain refused a batch or its confirmation. The gateway answers each with the seed's
/// code (BatchTransNotify).
public enum BatchTransFailure: Error, Equatable, Sendable {
    case duplicateBatchNo(String)
    case payDateNotToday(String)
    case payerNotFound(String)
    /// The payer must be the partner's own account.
    case payerIsNotPartner
    case payerBlocked
    /// account_name is not the payer's real name.
    case accountNameMismatch
    /// The confirm form's batch and token do not match (a stale or forged page).
    case confirmPageExpired
    case alreadyConfirmed
    /// The logon id on the confirm form is not the payer's.
    case wrongPayer
    case wrongPassword(remaining: Int)
    /// Too many password checks wait for the KDF; nothing was counted.
    case busy
}

/// `batch_trans_notify` (seed 000): batch pay from the partner's own account to up to 1000
/// Alipay accounts, confirmed by the payer's payment password.
public struct BatchTransService: Sendable {
    public static let serviceName = "batch_trans_notify"
    let store: any Store
    let clock: any Clock
    let calendar: BusinessCalendar
    let passwords: PaymentPasswordCheck

    public init(store: any Store, clock: any Clock, calendar: BusinessCalendar, passwords: PaymentPasswordCheck) {
        self.store = store; self.clock = clock; self.calendar = calendar; self.passwords = passwords
    }

    /// Stores the batch, or returns the batch already stored under this `batch_no` when the
    /// content is the same. Other content under a used `batch_no` is a duplicate: nothing is paid
    /// twice. What depends on the day and on the payer is checked after that, so a merchant
    /// repeating yesterday's request sees yesterday's batch. Refusals are ``BatchTransFailure``s;
    /// a store error passes through with nothing changed.
    public func submit(_ command: BatchTransCommand, partner: UserId, signType: SignType, charset: Charset) async throws -> Batch {
        if let existing = try await store.batch(partner: partner, batchNo: command.batchNo) {
            guard existing.fingerprint == command.fingerprint else { throw BatchTransFailure.duplicateBatchNo(command.batchNo) }
            return existing
        }
        let today = calendar.day(clock.now)
        guard command.payDate == today else { throw BatchTransFailure.payDateNotToday(today) }
        guard let payer = try await store.account(logonId: command.payerLogonId) else { throw BatchTransFailure.payerNotFound(command.payerLogonId) }
        guard payer.userId == partner else { throw BatchTransFailure.payerIsNotPartner }
        guard !payer.isBlocked(at: clock.now) else { throw BatchTransFailure.payerBlocked }
        guard payer.name == command.accountName else { throw BatchTransFailure.accountNameMismatch }

        let now = clock.now
        let batch = Batch(id: calendar.day(now) + SecureRandom.digits(8), partner: partner, batchNo: command.batchNo, fingerprint: command.fingerprint,
                          payer: payer.userId, accountName: command.accountName, batchFee: command.batchFee, payDate: command.payDate,
                          notifyURL: command.notifyURL, signType: signType, charset: charset, extendParam: command.extendParam, status: .waitConfirm,
                          token: SecureRandom.alphanumeric(32), createdAt: now, details: command.details.map { BatchRecord(detail: $0) })
        if let raced = try await store.insertBatch(batch) {
            guard raced.fingerprint == command.fingerprint else { throw BatchTransFailure.duplicateBatchNo(command.batchNo) }
            return raced
        }
        return batch
    }

    public func batch(partner: UserId, batchNo: String) async throws -> Batch? {
        try await store.batch(partner: partner, batchNo: batchNo)
    }

    /// The batch a confirm form names, if its one-time token is the batch's (compared in constant time).
    public func batch(id: String, token: String) async throws -> Batch? {
        guard let batch = try await store.batch(id: id), ConstantTime.equals(Array(batch.token.utf8), Array(token.utf8)) else { return nil }
        return batch
    }

    /// The confirm form's outcome.
    public enum ConfirmOutcome: Sendable {
        case paid(Batch)
        case failed(BatchTransFailure)
    }

    /// Checks the payer's logon id and payment password against the batch's token, then pays.
    public func confirm(token: String, logonId: String, password: String, batchId: String) async throws -> ConfirmOutcome {
        guard let batch = try await batch(id: batchId, token: token) else { return .failed(.confirmPageExpired) }
        guard batch.status == .waitConfirm else { return .failed(.alreadyConfirmed) }
        switch try await passwords.confirm(logonId: logonId, of: batch.payer, password: password) {
        case nil: return .failed(.wrongPayer)
        case .blocked?: return .failed(.payerBlocked)
        case .wrong(let remaining)?: return .failed(.wrongPassword(remaining: remaining))
        case .busy?: return .failed(.busy)
        case .accepted?: break
        }
        guard try await store.markBatchProcessing(id: batch.id), let account = try await store.account(userId: batch.payer) else {
            return .failed(.alreadyConfirmed)
        }
        var processing = batch
        processing.status = .processing
        guard let paid = try await process(processing, payer: account) else {
            return .paid(try await store.batch(id: batch.id) ?? batch)
        }
        return .paid(paid)
    }

    /// Pays a PROCESSING batch: every record a transfer from payer to payee, or a failure reason,
    /// all in one store transaction with the notification. Safe to run again after a crash.
    public func process(batchId: String) async throws {
        guard let batch = try await store.batch(id: batchId), batch.status == .processing,
              let payer = try await store.account(userId: batch.payer) else { return }
        _ = try await process(batch, payer: payer)
    }

    /// Plans every record, then completes the batch in one transaction; returns the completed
    /// batch, or `nil` when another worker completed it first.
    func process(_ batch: Batch, payer: Account) async throws -> Batch? {
        var plans: [BatchRecordPlan] = []
        var payees: [String: Account?] = [:]
        let now = clock.now
        for (seq, record) in batch.details.enumerated() {
            // 支付宝内部流水号: the batch id and the record's position, the same on a resumed run.
            let innerNo = Batch.innerNo(batchId: batch.id, seq: seq)
            func fail(_ reason: BatchTransFailureReason) { plans.append(.fail(reason: reason.rawValue, innerNo: innerNo)) }
            let key = record.detail.payeeAccount
            if payees[key] == nil {
                let byLogon = try await store.account(logonId: key)
                let byId: Account? = if byLogon == nil, let id = UserId(key) { try await store.account(userId: id) } else { nil }
                payees[key] = .some(byLogon ?? byId)
            }
            guard let payee = payees[key] ?? nil, payee.kind == .user else { fail(.receiveUserNotExist); continue }
            if payee.name != record.detail.payeeName { fail(.accountNameNotMatch); continue }
            if payee.isBlocked(at: now) { fail(.accountStatusNotValid); continue }
            if payee.userId == payer.userId { fail(.transferOutCanNotEqualIn); continue }
            plans.append(.pay(Transfer(id: innerNo, debit: payer.userId, credit: payee.userId,
                                       amount: record.detail.amount, code: .batchTrans, reference: batch.id, createdAt: now)))
        }
        let calendar = self.calendar
        let outcomes = try await store.completeBatch(id: batch.id, plans: plans, finishedAt: now, outcome: { result in
            FaultInjection.reached(FaultInjection.batchTransRecord)
            return result.isPosted ? nil : BatchTransFailureReason.balanceNotEnough.rawValue
        }, notification: { outcomes in
            Self.notification(batch: batch.applying(outcomes), payer: payer, now: now, calendar: calendar)
        })
        return outcomes.map { batch.applying($0) }
    }

    /// The `batch_trans_notify` notification (seed 000 §6.2), or `nil` without a notify_url.
    static func notification(batch: Batch, payer: Account, now: Date, calendar: BusinessCalendar) -> OutboxNotification? {
        guard let notifyURL = batch.notifyURL else { return nil }
        var parameters = Parameters([("batch_no", batch.batchNo), ("pay_user_id", payer.userId.rawValue), ("pay_user_name", payer.name),
                                     ("pay_account_no", payer.userId.rawValue + "0156")])
        // 可空: an empty list is left out rather than sent empty.
        for (name, status) in [("success_details", BatchRecord.Status.success), ("fail_details", .failure)] {
            let text = batch.resultDetails(status, calendar: calendar, now: now)
            if !text.isEmpty { parameters[name] = text }
        }
        return OutboxNotification(notifyId: Hex.lowercase(SecureRandom.bytes(16)), partner: batch.partner, notifyURL: notifyURL,
                                  notifyType: serviceName, protocol: .mapi, signType: batch.signType, charset: batch.charset,
                                  parameters: parameters, nextAttemptAt: now, createdAt: now)
    }

    /// Finishes batches a crash left PROCESSING; called at start.
    public func resume() async throws -> Int {
        let ids = try await store.batchIds(status: .processing)
        for id in ids { try await process(batchId: id) }
        return ids.count
    }
}

extension Batch {
    /// `success_details` or `fail_details` (seed 000 §6.2): the records with `status`, 8 fields each.
    /// An unfinished record's time is `now`.
    public func resultDetails(_ status: BatchRecord.Status, calendar: BusinessCalendar, now: Date) -> String {
        // A batch's records finish at one instant: it is formatted once, not once per record.
        var formatted: (date: Date, text: String)?
        func compact(_ date: Date) -> String {
            if let formatted, formatted.date == date { return formatted.text }
            let text = calendar.compact(date)
            formatted = (date, text)
            return text
        }
        return TransResultDetail.format(details.filter { $0.status == status }.map { record in
            TransResultDetail(serialNo: record.detail.serialNo, payeeAccount: record.detail.payeeAccount, payeeName: record.detail.payeeName,
                              amount: record.detail.amount, succeeded: status == .success, reason: record.reason ?? "null",
                              innerNo: record.innerNo ?? "", finishedAt: compact(record.finishedAt ?? now))
        })
    }

    /// 支付宝内部流水号 of record `seq`: the batch id and the record's position in four digits
    /// (a batch has at most 1000 records), the same on a resumed run.
    public static func innerNo(batchId: String, seq: Int) -> String {
        let digits = String(seq)
        return batchId + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
