import Foundation
import ZhifuProtocol

/// A `batch_trans_notify` batch: one payer, up to 1000 payees, confirmed with the payer's password.
public struct Batch: Sendable, Equatable {
    public enum Status: String, Sendable, Codable {
        /// Accepted; waiting for the payer's payment password on the confirm page.
        case waitConfirm = "WAIT_CONFIRM"
        /// Password confirmed; the records are being paid (resumed after a restart).
        case processing = "PROCESSING"
        /// Every record has its outcome and the notification is in the outbox.
        case completed = "COMPLETED"
    }

    /// Internal id (also the reference of the batch's transfers).
    public var id: String
    public var partner: UserId
    public var batchNo: String
    /// SHA-256 of the business parameters: the same `batch_no` with other content is refused.
    public var fingerprint: String
    public var payer: UserId
    public var accountName: String
    public var batchFee: Amount
    public var payDate: String
    public var notifyURL: String?
    public var signType: SignType
    public var charset: Charset
    public var extendParam: String?
    public var status: Status
    /// One-time token binding the confirm form to this batch.
    public var token: String
    public var createdAt: Date
    public var details: [BatchRecord]

    public init(id: String, partner: UserId, batchNo: String, fingerprint: String, payer: UserId, accountName: String, batchFee: Amount,
                payDate: String, notifyURL: String?, signType: SignType, charset: Charset, extendParam: String?, status: Status,
                token: String, createdAt: Date, details: [BatchRecord]) {
        self.id = id; self.partner = partner; self.batchNo = batchNo; self.fingerprint = fingerprint; self.payer = payer
        self.accountName = accountName; self.batchFee = batchFee; self.payDate = payDate; self.notifyURL = notifyURL
        self.signType = signType; self.charset = charset; self.extendParam = extendParam; self.status = status
        self.token = token; self.createdAt = createdAt; self.details = details
    }
}

/// One record of a batch with its outcome once paid.
public struct BatchRecord: Sendable, Equatable {
    public enum Status: String, Sendable, Codable {
        case pending = "PENDING"
        case success = "S"
        case failure = "F"
    }

    public var detail: BatchTransDetail
    public var status: Status
    /// `null` on success (as in the seed's sample), the failure reason otherwise.
    public var reason: String?
    /// 支付宝内部流水号.
    public var innerNo: String?
    public var finishedAt: Date?

    public init(detail: BatchTransDetail, status: Status = .pending, reason: String? = nil, innerNo: String? = nil, finishedAt: Date? = nil) {
        self.detail = detail; self.status = status; self.reason = reason; self.innerNo = innerNo; self.finishedAt = finishedAt
    }
}

/// What the domain decided for one record before the store's transaction: pay it with this
/// transfer, or fail it with this reason. The store posts the transfers and reports back.
public enum BatchRecordPlan: Sendable {
    /// Pay with this transfer; its id is the record's 支付宝内部流水号.
    case pay(Transfer)
    /// Fail with this reason; failed records get an inner number too (seed 000's sample has one).
    case fail(reason: String, innerNo: String)
}

/// What happened to one record inside the batch's transaction.
public struct BatchRecordOutcome: Sendable, Equatable {
    public var status: BatchRecord.Status
    public var reason: String?
    public var innerNo: String
    public var finishedAt: Date

    public init(status: BatchRecord.Status, reason: String?, innerNo: String, finishedAt: Date) {
        self.status = status; self.reason = reason; self.innerNo = innerNo; self.finishedAt = finishedAt
    }
}

extension Batch {
    /// The batch with each record's outcome applied, in record order.
    public func applying(_ outcomes: [BatchRecordOutcome]) -> Batch {
        var batch = self
        batch.status = .completed
        for (index, outcome) in outcomes.enumerated() where index < batch.details.count {
            batch.details[index].status = outcome.status
            batch.details[index].reason = outcome.reason
            batch.details[index].innerNo = outcome.innerNo
            batch.details[index].finishedAt = outcome.finishedAt
        }
        return batch
    }
}

/// A notification waiting in (or delivered from) the durable outbox.
public struct OutboxNotification: Sendable, Equatable {
    public enum Status: String, Sendable, Codable {
        case pending = "PENDING"
        /// The merchant answered `success`.
        case acknowledged = "ACKNOWLEDGED"
        /// Every scheduled try failed.
        case exhausted = "EXHAUSTED"
    }

    public enum WireProtocol: String, Sendable, Codable {
        case mapi, openapi
    }

    /// The same on every try; `notify_verify` answers `true` for it until acknowledged.
    public var notifyId: String
    public var partner: UserId
    public var notifyURL: String
    public var notifyType: String
    public var `protocol`: WireProtocol
    public var signType: SignType
    public var charset: Charset
    /// The business parameters; `notify_time`, `notify_id`, `notify_type`, `sign` are added per try.
    public var parameters: Parameters
    public var status: Status
    /// Tries made so far.
    public var attempts: Int
    public var nextAttemptAt: Date
    public var createdAt: Date

    public init(notifyId: String, partner: UserId, notifyURL: String, notifyType: String, protocol: WireProtocol, signType: SignType,
                charset: Charset, parameters: Parameters, status: Status = .pending, attempts: Int = 0, nextAttemptAt: Date, createdAt: Date) {
        self.notifyId = notifyId; self.partner = partner; self.notifyURL = notifyURL; self.notifyType = notifyType
        self.protocol = `protocol`; self.signType = signType; self.charset = charset; self.parameters = parameters
        self.status = status; self.attempts = attempts; self.nextAttemptAt = nextAttemptAt; self.createdAt = createdAt
    }

    /// Delays before each retry after the first try (seed 000 §7.1: 2m,10m,10m,1h,2h,6h,15h);
    /// OpenAPI's first retry waits 4m.
    public static func retryDelays(_ protocol: WireProtocol) -> [Int64] {
        [`protocol` == .mapi ? 120 : 240, 600, 600, 3_600, 7_200, 21_600, 54_000]
    }

    /// When the next try is due after `attempts` failed tries, or `nil` when none is left.
    public static func nextAttempt(after attempts: Int, at time: Date, protocol: WireProtocol) -> Date? {
        let delays = retryDelays(`protocol`)
        guard attempts >= 1, attempts <= delays.count else { return nil }
        return time.addingTimeInterval(TimeInterval(delays[attempts - 1]))
    }
}

/// One delivery try, as recorded for the console and for debugging a merchant's endpoint.
public struct NotificationAttempt: Sendable, Equatable {
    public var notifyId: String
    public var attemptedAt: Date
    /// `nil` when no HTTP response came (refused, timeout).
    public var httpStatus: Int?
    /// The first bytes of the response body (at most 256).
    public var bodyPrefix: String
    public var latencyMilliseconds: Int
    public var error: String?
    public var acknowledged: Bool

    public init(notifyId: String, attemptedAt: Date, httpStatus: Int?, bodyPrefix: String, latencyMilliseconds: Int, error: String?, acknowledged: Bool) {
        self.notifyId = notifyId; self.attemptedAt = attemptedAt; self.httpStatus = httpStatus; self.bodyPrefix = bodyPrefix
        self.latencyMilliseconds = latencyMilliseconds; self.error = error; self.acknowledged = acknowledged
    }
}

/// A try and what it means for its notification. `triesBefore` is the count the try was claimed at:
/// a try recorded late (its lease ran out, a manual clock jumped, another worker tried meanwhile)
/// is kept in the history but moves the schedule only if no newer try did, so a late outcome never
/// spends a retry twice or puts the next try back in time.
public struct NotificationOutcome: Sendable, Equatable {
    public var attempt: NotificationAttempt
    public var triesBefore: Int
    /// `nil`: acknowledged, or no try is left.
    public var nextAttemptAt: Date?

    public init(attempt: NotificationAttempt, triesBefore: Int, nextAttemptAt: Date?) {
        self.attempt = attempt; self.triesBefore = triesBefore; self.nextAttemptAt = nextAttemptAt
    }
}

extension Parameters {
    /// Stored form of a parameter set: a JSON array of `[name, value]` pairs, order kept.
    public var jsonText: String {
        let data = try! JSONSerialization.data(withJSONObject: pairs.map { [$0.name, $0.value] })
        return String(decoding: data, as: UTF8.self)
    }

    public init?(jsonText: String) {
        guard let array = try? JSONSerialization.jsonObject(with: Data(jsonText.utf8)) as? [[String]],
              array.allSatisfy({ $0.count == 2 }) else { return nil }
        self.init(array.map { ($0[0], $0[1]) })
    }
}
