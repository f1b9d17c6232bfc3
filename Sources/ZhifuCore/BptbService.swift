import Foundation
import ZhifuProtocol

/// Why an upload (`bptb_pay_file_confirm`) was refused after its rows were read.
public enum BptbUploadFailure: Error, Equatable, Sendable {
    /// The partner uploaded a different file under this name before.
    case fileNameTaken(String)
    case tooManyRows(Int)
}

/// Batch pay to bank accounts (seeds 002 and 003): a merchant uploads a payout file, the payer
/// confirms it with the payment password, the valid rows' money leaves the payer's balance for
/// the bank, and the bank pays or bounces (退票) each row, bounced money coming back as a new
/// transfer. `bptb_unfreeze_notify` says the balance was short; `bptb_result_notify` that the file
/// is done; `bptb_refund_file` lists a pay date's bounced rows.
public struct BptbService: Sendable {
    public static let uploadService = "bptb_pay_file_confirm"
    public static let confirmService = "bptb_user_confirm"
    public static let refundFileService = "bptb_refund_file"
    /// §7.1 (6): the signed return link works for one minute after the confirmation.
    public static let returnValiditySeconds: TimeInterval = 60

    let store: any Store
    let clock: any Clock
    let calendar: BusinessCalendar
    let passwords: PaymentPasswordCheck
    let bank: BankSimulator

    public init(store: any Store, clock: any Clock, calendar: BusinessCalendar, passwords: PaymentPasswordCheck, bank: BankSimulator) {
        self.store = store; self.clock = clock; self.calendar = calendar; self.passwords = passwords; self.bank = bank
    }

    /// Validates and stores an uploaded file. The same bytes under the same name return the stored
    /// file (a retried upload); other bytes under a used name are refused.
    public func upload(partner: UserId, fileName: String, rows: [BptbRow], fingerprint: String) async throws -> BptbFile {
        if let stored = try await store.bptbFile(partner: partner, fileName: fileName) {
            guard stored.fingerprint == fingerprint else { throw BptbUploadFailure.fileNameTaken(fileName) }
            return stored
        }
        guard rows.count <= BptbValidation.maximumRows else { throw BptbUploadFailure.tooManyRows(rows.count) }
        let now = clock.now
        let file = BptbFile(id: "B" + calendar.day(now) + SecureRandom.digits(8), partner: partner, fileName: fileName, fingerprint: fingerprint,
                            status: .uploaded, uploadedAt: now, rows: BptbValidation.validate(rows))
        if let raced = try await store.insertBptbFile(file) {
            guard raced.fingerprint == fingerprint else { throw BptbUploadFailure.fileNameTaken(fileName) }
            return raced
        }
        return file
    }

    public func file(partner: UserId, fileName: String) async throws -> BptbFile? {
        try await store.bptbFile(partner: partner, fileName: fileName)
    }

    /// The file a confirm form or return link names, if its token is the file's (constant time).
    public func file(id: String, token: String) async throws -> BptbFile? {
        guard let file = try await store.bptbFile(id: id), let confirmation = file.confirmation,
              ConstantTime.equals(Array(confirmation.token.utf8), Array(token.utf8)) else { return nil }
        return file
    }

    /// A `bptb_user_confirm` request: checks the payer (`email`) and the file, then stores the
    /// request's page (a new form token) on the file and returns it. The payer must be the
    /// partner before its state is told: a merchant learns nothing of other accounts but that
    /// they exist.
    public func prepareConfirmation(partner: UserId, fileName: String, email: String, returnURL: String, notifyURL: String?,
                                    signType: SignType, charset: Charset) async throws -> BptbFile {
        guard let payer = try await store.account(logonId: email), payer.kind == .user else { throw BptbFailure.userNotExist }
        guard payer.userId == partner else { throw BptbFailure.accountNotConsistent }
        guard !payer.isBlocked(at: clock.now) else { throw BptbFailure.userBlocked }
        guard var file = try await store.bptbFile(partner: partner, fileName: fileName) else { throw BptbFailure.fileNotExist }
        guard !file.rows.isEmpty else { throw BptbFailure.queryResultIsNull }
        guard file.status == .uploaded else { throw BptbFailure.alreadyConfirmed }
        guard !file.validRows.isEmpty else { throw BptbFailure.detailValidatedFail }
        let confirmation = BptbFile.Confirmation(token: SecureRandom.alphanumeric(32), payer: payer.userId, email: email, returnURL: returnURL,
                                                 notifyURL: notifyURL, signType: signType, charset: charset)
        guard try await store.setBptbConfirmation(id: file.id, confirmation) else { throw BptbFailure.alreadyConfirmed }
        file.confirmation = confirmation
        return file
    }

    public enum ConfirmOutcome: Sendable {
        case confirmed(BptbFile)
        case failed(BptbFailure)
    }

    /// The review page's form: the payer's logon id and payment password against the form token;
    /// then the money moves (or waits for it).
    public func confirm(fileId: String, token: String, logonId: String, password: String) async throws -> ConfirmOutcome {
        guard let file = try await file(id: fileId, token: token), let confirmation = file.confirmation else { return .failed(.confirmPageExpired) }
        guard file.status == .uploaded else { return .failed(.alreadyConfirmed) }
        switch try await passwords.confirm(logonId: logonId, of: confirmation.payer, password: password) {
        case nil: return .failed(.accountNotConsistent)
        case .blocked?: return .failed(.userBlocked)
        case .wrong(let remaining)?: return .failed(.wrongPassword(remaining: remaining))
        case .busy?: return .failed(.busy)
        case .accepted?: break
        }
        let now = clock.now
        guard try await store.markBptbConfirmed(id: file.id, token: token, payDate: calendar.day(now), at: now) else {
            return .failed(.alreadyConfirmed)
        }
        try await fund(fileId: file.id)
        return .confirmed(try await store.bptbFile(id: file.id) ?? file)
    }

    /// Moves a confirmed file's money to the bank, or leaves it waiting (and says so once).
    func fund(fileId: String) async throws {
        guard let file = try await store.bptbFile(id: fileId), file.status == .waitingFunds, let confirmation = file.confirmation else { return }
        let now = clock.now
        var payouts: [Int: Transfer] = [:]
        for (seq, row) in file.rows.enumerated() where row.status == .pending {
            payouts[seq] = file.payout(seq, payer: confirmation.payer, at: now)
        }
        let short = notification(file, type: "bptb_unfreeze_notify", flag: "bptb_unfreeze_file", now: now)
        _ = try await store.fundBptbFile(id: file.id, payer: confirmation.payer, payouts: payouts,
                                         dueAt: now.addingTimeInterval(TimeInterval(bank.clearingDelay)), shortNotification: short)
    }

    /// The bank's answers for a clearing file: each row paid or bounced by the rules, bounced money
    /// returned, the file completed and `bptb_result_notify` written, in one transaction.
    func settle(fileId: String) async throws {
        guard let file = try await store.bptbFile(id: fileId), file.status == .clearing, let payer = file.confirmation?.payer else { return }
        let now = clock.now
        var outcomes: [BptbRowOutcome] = []
        var settled = file
        for (seq, row) in file.rows.enumerated() where row.status == .submitted {
            guard let reason = bank.bounceReason(for: row, fileId: file.id, seq: seq), let amount = row.amount, let withdrawNo = row.withdrawNo else {
                outcomes.append(BptbRowOutcome(seq: seq, bounceReason: nil, refund: nil))
                settled.rows[seq].status = .paid
                continue
            }
            let refund = Transfer(id: withdrawNo + "R", debit: SystemAccounts.clearing, credit: payer, amount: amount, code: .bptbRefund,
                                  reference: file.id, createdAt: now)
            outcomes.append(BptbRowOutcome(seq: seq, bounceReason: reason, refund: refund))
            settled.rows[seq].status = .bounced
        }
        let done = notification(settled, type: "bptb_result_notify", flag: "bptb_result_file", now: now)
        _ = try await store.settleBptbFile(id: file.id, outcomes: outcomes, finishedAt: now, notification: done)
    }

    /// Funds waiting files and settles due ones; returns how many files it looked at. A file that
    /// fails (a row that does not decode) does not hold up the others: the first error is thrown
    /// after every file had its turn.
    public func sweep() async throws -> Int {
        let ids = try await store.bptbFilesDue(now: clock.now)
        var firstError: (any Error)?
        for id in ids {
            do {
                guard let file = try await store.bptbFile(id: id) else { continue }
                switch file.status {
                case .waitingFunds: try await fund(fileId: id)
                case .clearing: try await settle(fileId: id)
                case .uploaded, .completed: break
                }
            } catch {
                firstError = firstError ?? error
            }
        }
        if let firstError { throw firstError }
        return ids.count
    }

    /// seed 002 §6.2: `pay_date`, `flag`, `file_name`; `nil` without a notify_url.
    func notification(_ file: BptbFile, type: String, flag: String, now: Date) -> OutboxNotification? {
        guard let confirmation = file.confirmation, let notifyURL = confirmation.notifyURL else { return nil }
        let parameters = Parameters([("pay_date", file.payDate ?? calendar.day(now)), ("flag", flag), ("file_name", file.fileName)])
        return OutboxNotification(notifyId: Hex.lowercase(SecureRandom.bytes(16)), partner: file.partner, notifyURL: notifyURL, notifyType: type,
                                  protocol: .mapi, signType: confirmation.signType, charset: confirmation.charset, parameters: parameters,
                                  nextAttemptAt: now, createdAt: now)
    }

    /// What `bptb_refund_file` finds for a pay date.
    public enum RefundTickets: Sendable, Equatable {
        /// The bounced rows of the day's files (in file and row order) with the payer's logon id.
        case tickets(payerLogonId: String, rows: [(file: BptbFile, row: BptbRow)])
        /// No file was confirmed that day (文件下载失败!文件下载失败!).
        case noBatch
        /// A file of that day is still with the bank (批次处理中,不能下载).
        case processing

        public static func == (lhs: RefundTickets, rhs: RefundTickets) -> Bool {
            switch (lhs, rhs) {
            case (.noBatch, .noBatch), (.processing, .processing): true
            case let (.tickets(a, x), .tickets(b, y)): a == b && x.map(\.row) == y.map(\.row) && x.map(\.file.id) == y.map(\.file.id)
            default: false
            }
        }
    }

    public func refundTickets(partner: UserId, payDate: String) async throws -> RefundTickets {
        let files = try await store.bptbFiles(partner: partner, payDate: payDate)
        guard let first = files.first else { return .noBatch }
        guard files.allSatisfy({ $0.status == .completed }) else { return .processing }
        let rows = files.flatMap { file in file.rows.filter { $0.status == .bounced }.map { (file: file, row: $0) } }
        return .tickets(payerLogonId: first.confirmation?.email ?? "", rows: rows)
    }
}
