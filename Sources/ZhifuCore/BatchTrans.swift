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

/// `batch_trans_notify` (seed 000): batch pay from the partner's own account to up to 1000
/// Alipay accounts, confirmed by the payer's payment password.
public struct BatchTransService: Sendable {
    public static let serviceName = "batch_trans_notify"
    let store: any Store
    let clock: any Clock
    let calendar: BusinessCalendar
    let passwords: PaymentPasswordCheck

    public init(store: any Store, clock: any Clock, calendar: BusinessCalendar, kdf: PasswordKDF) {
        self.store = store; self.clock = clock; self.calendar = calendar
        passwords = PaymentPasswordCheck(store: store, kdf: kdf)
    }

    /// The business parameters, in a fixed order, whose hash identifies a batch's content.
    static let businessParameters = ["account_name", "detail_data", "batch_no", "batch_num", "batch_fee", "pay_date", "email",
                                     "buyer_account_name", "extend_param", "notify_url"]

    /// Validates a signed request and stores the batch, or returns the batch already stored under
    /// this `batch_no` when the content is the same. Other content under a used `batch_no` is
    /// DUPLICATE_BATCH_NO: nothing is paid twice.
    public func submit(_ params: Parameters, merchant: Merchant, signType: SignType, charset: Charset) async throws -> Batch {
        func required(_ name: String) throws(MAPIFailure) -> String {
            guard let value = params.nonEmpty(name) else { throw MAPIFailure(.illegalArgument, "\(name) is required") }
            return value
        }
        let batchNo = try required("batch_no")
        guard (11...32).contains(batchNo.utf8.count), batchNo.utf8.allSatisfy({ $0 < 0x80 && (Character(UnicodeScalar($0)).isLetter || Character(UnicodeScalar($0)).isNumber) }) else {
            throw MAPIFailure(.batchNoFormatError, "batch_no must be 11 to 32 letters or digits")
        }
        let fingerprint = Hex.lowercase(Digest.sha256(Array(Self.businessParameters.map { "\($0)=\(params[$0] ?? "")" }.joined(separator: "\n").utf8)))
        if let existing = try await store.batch(partner: merchant.partner, batchNo: batchNo) {
            guard existing.fingerprint == fingerprint else {
                throw MAPIFailure(.duplicateBatchNo, "batch_no \(batchNo) was used for a different batch")
            }
            return existing
        }
        let accountName = try required("account_name")
        let details: [BatchTransDetail]
        do { details = try BatchTransDetail.parse(try required("detail_data")) } catch let error as DetailDataError {
            throw MAPIFailure(error.code, "detail_data: \(error.description)")
        }
        let batchNumText = try required("batch_num")
        guard let batchNum = Int(batchNumText), batchNum > 0, batchNumText.allSatisfy(\.isASCII) else {
            throw MAPIFailure(.batchNumError, "batch_num must be a positive integer")
        }
        guard batchNum <= BatchTransDetail.maximumRecords else { throw MAPIFailure(.batchNumExceedLimit, "batch_num is above 1000") }
        guard batchNum == details.count else {
            throw MAPIFailure(.batchNumNotEqualTotal, "batch_num is \(batchNum) but detail_data has \(details.count) records")
        }
        guard let batchFee = Amount(try required("batch_fee")), batchFee.fen > 0 else {
            throw MAPIFailure(.illegalArgument, "batch_fee must be an amount like 20.00")
        }
        guard Amount.sum(details.map(\.amount)) == batchFee else {
            throw MAPIFailure(.illegalArgument, "batch_fee \(batchFee) is not the sum of detail_data's amounts")
        }
        let payDate = try required("pay_date")
        guard payDate == calendar.day(clock.now) else {
            throw MAPIFailure(.illegalArgument, "pay_date must be today, \(calendar.day(clock.now))")
        }
        if let extend = params.nonEmpty("extend_param") {
            do { _ = try ExtendParam.parse(extend) } catch { throw MAPIFailure(error.code, error.description) }
        }
        let notifyURL = params.nonEmpty("notify_url")
        if let notifyURL, !Self.isHTTPURL(notifyURL) { throw MAPIFailure(.illegalArgument, "notify_url must be an http(s) URL of at most 200 characters") }
        guard let payerLogon = params.nonEmpty("buyer_account_name") ?? params.nonEmpty("email") else {
            throw MAPIFailure(.illegalArgument, "email (or buyer_account_name) is required")
        }
        guard let payer = try await store.account(logonId: payerLogon) else { throw MAPIFailure(.userNotExist, "no account \(payerLogon)") }
        guard payer.userId == merchant.partner else {
            throw MAPIFailure(.accountNotConsistent, "the payer must be the partner's own account")
        }
        guard payer.status == .normal else { throw MAPIFailure(.userBlockStatus) }
        guard payer.name == accountName else { throw MAPIFailure(.accountNotConsistent, "account_name is not the payer's name") }

        let now = clock.now
        let batch = Batch(id: calendar.day(now) + SecureRandom.digits(8), partner: merchant.partner, batchNo: batchNo, fingerprint: fingerprint,
                          payer: payer.userId, accountName: accountName, batchFee: batchFee, payDate: payDate, notifyURL: notifyURL,
                          signType: signType, charset: charset, extendParam: params.nonEmpty("extend_param"), status: .waitConfirm,
                          token: SecureRandom.alphanumeric(32), createdAt: now, details: details.map { BatchRecord(detail: $0) })
        if let raced = try await store.insertBatch(batch) {
            guard raced.fingerprint == fingerprint else { throw MAPIFailure(.duplicateBatchNo) }
            return raced
        }
        return batch
    }

    static func isHTTPURL(_ text: String) -> Bool {
        text.utf8.count <= 200 && (text.hasPrefix("http://") || text.hasPrefix("https://")) && URL(string: text)?.host != nil
    }

    /// The confirm form's outcome.
    public enum ConfirmOutcome: Equatable, Sendable {
        case paid(Batch)
        case failed(MAPIFailure)
    }

    /// Checks the payer's logon id and payment password against the batch's token, then pays.
    public func confirm(token: String, logonId: String, password: String, batchId: String) async throws -> ConfirmOutcome {
        guard let batch = try await store.batch(id: batchId), ConstantTime.equals(Array(batch.token.utf8), Array(token.utf8)) else {
            return .failed(MAPIFailure(.sessionTimeout, "this confirm page is no longer valid"))
        }
        guard batch.status == .waitConfirm else { return .failed(MAPIFailure(.userConfirmSucc)) }
        guard let account = try await store.account(logonId: logonId), account.userId == batch.payer else {
            return .failed(MAPIFailure(.accountNotConsistent, "enter the paying account's logon id"))
        }
        switch try await passwords.verify(account, password: password) {
        case .blocked: return .failed(MAPIFailure(.userBlockStatus))
        case .wrong(let remaining): return .failed(MAPIFailure(.userPassError, "\(remaining) tries left"))
        case .busy: return .failed(MAPIFailure(.systemError, "too many password checks at once; try again"))
        case .accepted: break
        }
        guard try await store.markBatchProcessing(id: batch.id) else { return .failed(MAPIFailure(.userConfirmSucc)) }
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
            let innerNo = batch.id + String(format: "%04d", seq)
            func fail(_ reason: BatchTransFailureReason) { plans.append(.fail(reason: reason.rawValue, innerNo: innerNo)) }
            let key = record.detail.payeeAccount
            if payees[key] == nil {
                let byLogon = try await store.account(logonId: key)
                let byId: Account? = if byLogon == nil, let id = UserId(key) { try await store.account(userId: id) } else { nil }
                payees[key] = .some(byLogon ?? byId)
            }
            guard let payee = payees[key] ?? nil, payee.kind == .user else { fail(.receiveUserNotExist); continue }
            if payee.name != record.detail.payeeName { fail(.accountNameNotMatch); continue }
            if payee.status != .normal { fail(.accountStatusNotValid); continue }
            if payee.userId == payer.userId { fail(.transferOutCanNotEqualIn); continue }
            plans.append(.pay(Transfer(id: innerNo, debit: payer.userId, credit: payee.userId,
                                       amount: record.detail.amount, code: "batch_trans", reference: batch.id, createdAt: now)))
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
        TransResultDetail.format(details.filter { $0.status == status }.map { record in
            TransResultDetail(serialNo: record.detail.serialNo, payeeAccount: record.detail.payeeAccount, payeeName: record.detail.payeeName,
                              amount: record.detail.amount, succeeded: status == .success, reason: record.reason ?? "null",
                              innerNo: record.innerNo ?? "", finishedAt: calendar.compact(record.finishedAt ?? now))
        })
    }
}
