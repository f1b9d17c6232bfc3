import Foundation
import ZhifuProtocol

/// One row of a batch-pay-to-bank file (seed 002 图2-2, seed 003 表5-1), as uploaded, with what
/// validation found and, once paid, what the bank did with it.
public struct BptbRow: Sendable, Equatable {
    public enum Status: String, Sendable {
        /// Failed validation: never paid (`failure` says why).
        case invalid = "INVALID"
        /// Valid; waiting for the payer's confirmation and money.
        case pending = "PENDING"
        /// Paid out of the merchant's balance to the bank; the bank has not answered yet.
        case submitted = "SUBMITTED"
        /// The bank credited the payee.
        case paid = "PAID"
        /// The bank refused it (退票); the money went back to the merchant.
        case bounced = "BOUNCED"
    }

    /// 商户流水号.
    public var serialNo: String
    /// 收款人姓名 (收款银行户名).
    public var payeeName: String
    /// 收款人账号, as typed.
    public var accountNo: String
    public var province: String
    public var city: String
    public var bankName: String
    /// 银行支行 (may be empty).
    public var branch: String
    /// 付款金额 as uploaded (shown for invalid rows whose amount did not parse).
    public var amountText: String
    /// The amount, or `nil` when `amountText` is not money.
    public var amount: Amount?
    /// 对公对私标志: `1` 对公, `2` 对私.
    public var flag: String
    /// 备注.
    public var memo: String
    /// Every validation problem, joined; `nil` for a valid row.
    public var failure: String?
    public var status: Status
    /// 提现流水号: the id of the transfer that paid the row out.
    public var withdrawNo: String?
    /// When the bank answered.
    public var finishedAt: Date?
    /// 退票原因.
    public var bounceReason: String?

    public init(serialNo: String, payeeName: String, accountNo: String, province: String, city: String, bankName: String, branch: String,
                amountText: String, flag: String, memo: String) {
        self.serialNo = serialNo; self.payeeName = payeeName; self.accountNo = accountNo; self.province = province; self.city = city
        self.bankName = bankName; self.branch = branch; self.amountText = amountText; self.amount = Amount(amountText); self.flag = flag
        self.memo = memo; self.status = .pending
    }
}

/// An uploaded payout file (`bptb_pay_file_confirm`), confirmed by `bptb_user_confirm` and
/// cleared by the bank row by row.
public struct BptbFile: Sendable, Equatable {
    public enum Status: String, Sendable {
        /// Uploaded and validated; waiting for `bptb_user_confirm` and the payment password.
        case uploaded = "UPLOADED"
        /// Confirmed, but the merchant's balance was short: waits for money (`bptb_unfreeze_notify`).
        case waitingFunds = "WAIT_FUNDS"
        /// The valid rows' money is with the bank; each row is paid or bounced when `dueAt` comes.
        case clearing = "CLEARING"
        /// Every row has its outcome and `bptb_result_notify` is in the outbox.
        case completed = "COMPLETED"
    }

    /// Internal id: the reference of the file's transfers.
    public var id: String
    public var partner: UserId
    /// Unique per partner, as uploaded.
    public var fileName: String
    /// SHA-256 of the uploaded bytes: the same file uploaded again is the same file.
    public var fingerprint: String
    public var status: Status
    public var uploadedAt: Date
    /// The confirming request's page: its one-time form token, payer (email), notify_url and
    /// return_url, and the sign type and charset its notification and return use. Each
    /// `bptb_user_confirm` request on an unconfirmed file replaces them.
    public var confirmation: Confirmation?
    /// 文件提交日期 (yyyyMMdd): the day the payer confirmed.
    public var payDate: String?
    public var confirmedAt: Date?
    /// When the next step is due: the bank's answer while clearing.
    public var dueAt: Date?
    public var rows: [BptbRow]

    public struct Confirmation: Sendable, Equatable {
        public var token: String
        public var payer: UserId
        public var email: String
        public var returnURL: String
        public var notifyURL: String?
        public var signType: SignType
        public var charset: Charset

        public init(token: String, payer: UserId, email: String, returnURL: String, notifyURL: String?, signType: SignType, charset: Charset) {
            self.token = token; self.payer = payer; self.email = email; self.returnURL = returnURL; self.notifyURL = notifyURL
            self.signType = signType; self.charset = charset
        }
    }

    public init(id: String, partner: UserId, fileName: String, fingerprint: String, status: Status, uploadedAt: Date, confirmation: Confirmation? = nil,
                payDate: String? = nil, confirmedAt: Date? = nil, dueAt: Date? = nil, rows: [BptbRow]) {
        self.id = id; self.partner = partner; self.fileName = fileName; self.fingerprint = fingerprint; self.status = status; self.uploadedAt = uploadedAt
        self.confirmation = confirmation; self.payDate = payDate; self.confirmedAt = confirmedAt; self.dueAt = dueAt; self.rows = rows
    }

    public var validRows: [BptbRow] { rows.filter { $0.status != .invalid } }

    /// The valid rows' total: what confirming moves out of the merchant's balance.
    public var validTotal: Amount { Amount(fen: validRows.reduce(0) { $0 + ($1.amount?.fen ?? 0) }) }

    /// 商户批次号 when the upload named none: the file name in lowercase without its extension (seed 003 表5-1).
    public var batchName: String {
        let name = fileName.lowercased()
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }

    /// The payout transfer of row `seq`: its id is the row's 提现流水号.
    func payout(_ seq: Int, payer: UserId, at time: Date) -> Transfer? {
        guard let amount = rows[seq].amount else { return nil }
        return Transfer(id: "\(id)\(String(format: "%04d", seq))", debit: payer, credit: SystemAccounts.clearing, amount: amount,
                        code: .bptbPayout, reference: id, createdAt: time)
    }
}

/// The bank's answer for one submitted row.
public struct BptbRowOutcome: Sendable, Equatable {
    public var seq: Int
    /// 退票原因, or `nil` when the payee was credited.
    public var bounceReason: String?
    /// The transfer returning a bounced row's money to the merchant.
    public var refund: Transfer?

    public init(seq: Int, bounceReason: String?, refund: Transfer?) { self.seq = seq; self.bounceReason = bounceReason; self.refund = refund }
}

/// What ``BptbRepository/fundBptbFile(id:payer:payouts:dueAt:shortNotification:)`` did.
public enum BptbFunding: Sendable, Equatable {
    /// The payouts are posted; the file is clearing.
    case funded
    /// The balance was short; the file waits for money (the notification went out the first time).
    case short
    /// The file was not waiting for funding (another worker got it first).
    case notWaiting
}

/// Batch-pay-to-bank files with their rows.
public protocol BptbRepository: Sendable {
    /// Inserts a new file with its rows; returns the stored file when `(partner, fileName)` exists.
    func insertBptbFile(_ file: BptbFile) async throws -> BptbFile?
    func bptbFile(partner: UserId, fileName: String) async throws -> BptbFile?
    func bptbFile(id: String) async throws -> BptbFile?
    /// Files of `partner` confirmed on `payDate`.
    func bptbFiles(partner: UserId, payDate: String) async throws -> [BptbFile]
    /// Ids of files waiting for funds, and of clearing files due at `now`.
    func bptbFilesDue(now: Date) async throws -> [String]
    /// When the bank next answers a clearing file (the console's "jump to the next due").
    func nextBptbDue() async throws -> Date?
    /// The newest uploads first (the console's list).
    func recentBptbFileIds(limit: Int) async throws -> [String]
    /// Stores a confirming request's page on an UPLOADED file; `false` when it is no longer uploaded.
    func setBptbConfirmation(id: String, _ confirmation: BptbFile.Confirmation) async throws -> Bool
    /// UPLOADED → WAIT_FUNDS with its pay date, when `token` is the stored one; `false` otherwise.
    func markBptbConfirmed(id: String, token: String, payDate: String, at time: Date) async throws -> Bool
    /// In one transaction, with the payer's account locked: when its available balance covers the
    /// payouts, posts them, marks their rows SUBMITTED and the file CLEARING until `dueAt`;
    /// otherwise leaves the money alone and, the first time, writes `shortNotification`.
    func fundBptbFile(id: String, payer: UserId, payouts: [Int: Transfer], dueAt: Date, shortNotification: OutboxNotification?) async throws -> BptbFunding
    /// In one transaction: each row's outcome and bounce refund, the file COMPLETED, the
    /// notification into the outbox. `false` (nothing written) when the file was not CLEARING.
    func settleBptbFile(id: String, outcomes: [BptbRowOutcome], finishedAt: Date, notification: OutboxNotification?) async throws -> Bool
}

/// Why `bptb_user_confirm` or its password form refused (seed 002 §10.1).
public enum BptbFailure: Error, Equatable, Sendable {
    case userNotExist
    case accountNotConsistent
    case userBlocked
    case fileNotExist
    /// The file has no rows at all.
    case queryResultIsNull
    /// Every row failed validation.
    case detailValidatedFail
    /// Confirmed before: nothing is paid twice.
    case alreadyConfirmed
    case wrongPassword(remaining: Int)
    /// The form's token is not the file's (a stale or forged page).
    case confirmPageExpired
    case busy
}
