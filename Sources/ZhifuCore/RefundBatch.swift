import Foundation
import ZhifuProtocol

/// A `refund_fastpay_by_platform_pwd` batch (seed 001): refunds of paid trades, confirmed with the
/// seller's payment password, each record refunded through the trades' own rules.
public struct RefundBatch: Sendable, Equatable {
    /// Internal id (the reference of the batch's fee transfers).
    public var id: String
    public var partner: UserId
    public var batchNo: String
    /// SHA-256 of the business parameters: the same `batch_no` with other content is refused.
    public var fingerprint: String
    /// The seller whose trades are refunded and who confirms with the payment password.
    public var seller: UserId
    /// 退款请求时间, as sent.
    public var refundDate: String
    public var notifyURL: String?
    public var signType: SignType
    public var charset: Charset
    public var status: Batch.Status
    /// One-time token binding the confirm form to this batch.
    public var token: String
    public var createdAt: Date
    public var records: [RefundBatchRecord]

    public init(id: String, partner: UserId, batchNo: String, fingerprint: String, seller: UserId, refundDate: String, notifyURL: String?,
                signType: SignType, charset: Charset, status: Batch.Status, token: String, createdAt: Date, records: [RefundBatchRecord]) {
        self.id = id; self.partner = partner; self.batchNo = batchNo; self.fingerprint = fingerprint; self.seller = seller
        self.refundDate = refundDate; self.notifyURL = notifyURL; self.signType = signType; self.charset = charset
        self.status = status; self.token = token; self.createdAt = createdAt; self.records = records
    }

    /// 交易退款 total.
    public var refundTotal: Amount { Amount(fen: records.reduce(0) { $0 + $1.tradeNoAmount.fen }) }
    /// 返还服务费 total.
    public var feeTotal: Amount { Amount(fen: records.reduce(0) { $0 + ($1.feeRefund?.amount.fen ?? 0) }) }
    /// Records refunded (the notification's success_num).
    public var successCount: Int { records.filter { $0.result == RefundBatchRecord.success }.count }

    /// The notification's `result_details`: `交易号^退款金额^处理结果[$退费账号^退费账户ID^退费金额^处理结果]`, `#`-joined.
    public var resultDetails: String {
        RefundResultDetail.format(records.map { record in
            RefundResultDetail(tradeNo: record.tradeNo, amount: record.tradeNoAmount, result: record.result ?? "PROCESSING",
                               feeResult: record.feeRefund.map {
                                   .init(account: $0.account, userId: $0.userId, amount: $0.amount, result: record.feeResult ?? "PROCESSING")
                               })
        })
    }
}

/// One record of a refund batch and, once processed, its outcome.
public struct RefundBatchRecord: Sendable, Equatable, Codable {
    public static let success = "SUCCESS"

    public struct FeeRefund: Sendable, Equatable, Codable {
        /// 退费账号 and 退费账户ID: the account the service fee goes back to.
        public var account: String
        public var userId: String
        public var amount: Amount
        public init(account: String, userId: String, amount: Amount) { self.account = account; self.userId = userId; self.amount = amount }
    }

    public var tradeNo: String
    public var tradeNoAmount: Amount
    public var reason: String
    public var feeRefund: FeeRefund?
    /// `SUCCESS` or the seed's error code; `nil` until processed.
    public var result: String?
    public var feeResult: String?

    public init(tradeNo: String, amount: Amount, reason: String, feeRefund: FeeRefund?, result: String? = nil, feeResult: String? = nil) {
        self.tradeNo = tradeNo; self.tradeNoAmount = amount; self.reason = reason; self.feeRefund = feeRefund
        self.result = result; self.feeResult = feeResult
    }

    public init(_ detail: RefundDetail) {
        self.init(tradeNo: detail.tradeNo, amount: detail.amount, reason: detail.reason,
                  feeRefund: detail.feeRefund.map { FeeRefund(account: $0.account, userId: $0.userId, amount: $0.amount) })
    }

    /// Stored form of a batch's records: one JSON document, written whole when the batch completes.
    public static func json(_ records: [RefundBatchRecord]) -> String {
        String(decoding: try! JSONEncoder().encode(records), as: UTF8.self)
    }

    /// A stored document that does not decode is an error, never an empty batch.
    public static func records(json: String) throws -> [RefundBatchRecord] {
        do { return try JSONDecoder().decode([RefundBatchRecord].self, from: Data(json.utf8)) } catch {
            throw StoreError.corrupt("refund batch records: \(error)")
        }
    }
}

/// A `refund_fastpay_by_platform_pwd` request as the gateway read it: every field well formed.
public struct RefundBatchCommand: Sendable {
    public var batchNo: String
    /// `seller_user_id` if sent, else the account of `seller_email`.
    public var sellerUserId: UserId?
    public var sellerEmail: String?
    public var refundDate: String
    public var details: [RefundDetail]
    public var notifyURL: String?
    public var fingerprint: String

    public init(batchNo: String, sellerUserId: UserId?, sellerEmail: String?, refundDate: String, details: [RefundDetail], notifyURL: String?,
                fingerprint: String) {
        self.batchNo = batchNo; self.sellerUserId = sellerUserId; self.sellerEmail = sellerEmail; self.refundDate = refundDate
        self.details = details; self.notifyURL = notifyURL; self.fingerprint = fingerprint
    }
}
