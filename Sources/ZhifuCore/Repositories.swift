import Foundation
import ZhifuProtocol

/// How many rows of one status there are, and their amounts (fen).
public struct StatusTotal: Sendable, Equatable {
    public var status: String
    public var count: Int
    public var amountFen: Int64
    public init(status: String, count: Int, amountFen: Int64) { self.status = status; self.count = count; self.amountFen = amountFen }
}

/// Settings shared by every gateway node: the gateway keys, the demo-data marker.
public protocol SettingsRepository: Sendable {
    func setting(_ name: String) async throws -> String?
    /// Stores the value unless one exists; returns the value now stored.
    func setSettingIfAbsent(_ name: String, value: String) async throws -> String
    func setSetting(_ name: String, value: String) async throws
    /// Adds `amount` to an integer setting in one statement; returns the new value (`nil` when
    /// the setting does not exist).
    func addToSetting(_ name: String, amount: Int64) async throws -> Int64?
}

public protocol AccountRepository: Sendable {
    /// Inserts an account with a zero balance (money arrives only by transfers).
    /// Returns `false` when the user id exists. A taken logon id throws ``StoreError/duplicate(_:)``.
    func insertAccount(_ account: Account) async throws -> Bool
    func account(userId: UserId) async throws -> Account?
    func account(logonId: String) async throws -> Account?
    /// Accounts whose logon id or user id starts with `prefix` (LIKE's wildcards taken literally).
    func searchAccounts(prefix: String, limit: Int) async throws -> [Account]
    /// Counts a wrong payment password and blocks the account until `lockUntil` when the count
    /// reaches `blockAt`, in one statement; a lock that ended by `now` starts the count again.
    /// Returns the new count and whether the account is blocked.
    func recordWrongPassword(userId: UserId, blockAt: Int, now: Date, lockUntil: Date) async throws -> (failedAttempts: Int, blocked: Bool)
    /// A right payment password: resets the count of an account that is not blocked, or whose lock
    /// ended by `now` (never ends a lock early); returns whether the account is blocked.
    func recordRightPassword(userId: UserId, now: Date) async throws -> Bool
    /// Ends every buyer session of the account (logout), in one statement.
    func endSessions(userId: UserId) async throws
    /// An operator's block (for good) or unblock; both clear a password lock's end, unblocking the count.
    func setAccountStatus(userId: UserId, _ status: AccountStatus) async throws
}

/// Merchants, their OpenAPI apps, and the app_auth_tokens that let an app act for a merchant.
public protocol MerchantRepository: Sendable {
    func upsertMerchant(_ merchant: Merchant) async throws
    func merchant(partner: UserId) async throws -> Merchant?
    /// Every merchant with its apps, by partner (the console's list), at most `limit`.
    func merchants(limit: Int) async throws -> [(merchant: Merchant, apps: [App])]
    func upsertApp(_ app: App) async throws
    func app(appId: String) async throws -> App?
    func upsertAppAuthToken(_ token: AppAuthToken) async throws
    func appAuthToken(_ token: String) async throws -> AppAuthToken?
}

/// Trades with their refunds, and the buyers' payment codes they are paid with.
public protocol TradeRepository: Sendable {
    /// Returns `false` when the trade number or `(partner, outTradeNo)` is taken.
    func insertTrade(_ trade: Trade) async throws -> Bool
    func trade(tradeNo: String) async throws -> Trade?
    func trade(partner: UserId, outTradeNo: String) async throws -> Trade?
    /// In one transaction: stores the trade's new state, posts the transfers, records the refund,
    /// uses up the payment code and queues the notifications. All or nothing.
    func updateTrade(_ update: TradeUpdate) async throws -> TradeChange
    /// Unpaid trades whose `expiresAt` is at or before `now` (timeout_express), oldest first.
    func expiredTradeNos(now: Date, limit: Int) async throws -> [String]
    /// Trades in `status` created at or before `before` (paid ones no longer refundable).
    func tradeNos(status: TradeStatus, createdBefore before: Date, limit: Int) async throws -> [String]
    func refund(tradeNo: String, outRequestNo: String) async throws -> TradeRefund?
    /// Every refund of the trade, oldest first.
    func refunds(tradeNo: String) async throws -> [TradeRefund]
    /// Count and total amount of trades per status (the console's overview).
    func tradeTotals() async throws -> [StatusTotal]
    /// When the next unpaid trade times out.
    func nextTradeExpiry() async throws -> Date?
    /// The newest trades first, of one status or all (the console's list).
    func recentTrades(status: TradeStatus?, limit: Int) async throws -> [Trade]
    func insertPaymentCode(_ code: PaymentCode) async throws
    func paymentCode(_ code: String) async throws -> PaymentCode?
    /// The code with its buyer's account, read together: a payment by code reads once, not twice.
    func paymentCodeWithBuyer(_ code: String) async throws -> (code: PaymentCode, buyer: Account)?
}

public protocol LedgerRepository: Sendable {
    /// Posts transfers in one transaction; each gets its own result, a failed one changes nothing.
    func post(_ transfers: [Transfer]) async throws -> [TransferResult]
    func transfer(id: String) async throws -> Transfer?
    func transfers(reference: String) async throws -> [Transfer]
    /// The newest transfers first, at most `limit`.
    func recentTransfers(limit: Int) async throws -> [Transfer]
    /// Recomputes every balance from the transfers and checks the invariants.
    func audit() async throws -> LedgerAudit
}

/// Batches of `batch_trans_notify` with their records.
public protocol BatchRepository: Sendable {
    /// Inserts a new batch with its records; returns the stored batch when `(partner, batchNo)` exists.
    func insertBatch(_ batch: Batch) async throws -> Batch?
    func batch(partner: UserId, batchNo: String) async throws -> Batch?
    func batch(id: String) async throws -> Batch?
    /// Batches in `status` (confirmed but not completed ones are resumed at start).
    func batchIds(status: Batch.Status) async throws -> [String]
    /// WAIT_CONFIRM → PROCESSING; `false` when the batch was not waiting (confirmed twice).
    func markBatchProcessing(id: String) async throws -> Bool
    /// The newest batches first (the console's list).
    func recentBatchIds(limit: Int) async throws -> [String]
    /// In one transaction: posts every planned transfer, records each record's outcome
    /// (`outcome` maps a transfer's result to S, `nil`, or a failure reason), completes the batch,
    /// and writes the notification built from the outcomes into the outbox. Returns the outcomes in
    /// record order; a batch that is not PROCESSING is left untouched (`nil`), so running this
    /// twice pays nothing twice.
    func completeBatch(id: String, plans: [BatchRecordPlan], finishedAt: Date,
                       outcome: @escaping @Sendable (TransferResult) -> String?,
                       notification: @escaping @Sendable ([BatchRecordOutcome]) -> OutboxNotification?) async throws -> [BatchRecordOutcome]?
}

/// Refund batches of `refund_fastpay_by_platform_pwd`.
public protocol RefundBatchRepository: Sendable {
    /// Inserts a new batch; returns the stored batch when `(partner, batchNo)` exists.
    func insertRefundBatch(_ batch: RefundBatch) async throws -> RefundBatch?
    func refundBatch(partner: UserId, batchNo: String) async throws -> RefundBatch?
    func refundBatch(id: String) async throws -> RefundBatch?
    func refundBatchIds(status: Batch.Status) async throws -> [String]
    /// The newest refund batches first (the console's list).
    func recentRefundBatchIds(limit: Int) async throws -> [String]
    /// WAIT_CONFIRM → PROCESSING; `false` when the batch was not waiting (confirmed twice).
    func markRefundBatchProcessing(id: String) async throws -> Bool
    /// In one transaction: PROCESSING → COMPLETED with the records' outcomes, and the notification
    /// into the outbox. `false` (nothing written) when the batch was not PROCESSING.
    func completeRefundBatch(id: String, records: [RefundBatchRecord], notification: OutboxNotification?) async throws -> Bool
}

/// The notifications outbox and the record of every delivery attempt.
public protocol OutboxRepository: Sendable {
    /// Adds notifications on their own (what a state change with nothing else to commit needs).
    func insertNotifications(_ notifications: [OutboxNotification]) async throws
    func notification(notifyId: String) async throws -> OutboxNotification?
    /// Due pending notifications (`nextAttemptAt <= now`), at most `limit`; each claimed row's next
    /// attempt moves `leaseSeconds` ahead so no other worker or node takes it meanwhile.
    func claimDueNotifications(now: Date, limit: Int, leaseSeconds: Int64) async throws -> [OutboxNotification]
    /// Records tries and each notification's new state (acknowledged, scheduled again at
    /// `nextAttemptAt`, or exhausted when it is `nil`), all in one transaction. A failed try whose
    /// `triesBefore` is no longer the notification's count is history only (see `NotificationOutcome`).
    func recordNotificationAttempts(_ outcomes: [NotificationOutcome]) async throws
    func notificationAttempts(notifyId: String) async throws -> [NotificationAttempt]
    /// Notifications about one business object (a trade_no, batch_no or auth_no), oldest first.
    func notifications(reference: String) async throws -> [OutboxNotification]
    /// The newest notifications first, of one status or all.
    func recentNotifications(_ filter: NotificationFilter, limit: Int) async throws -> [OutboxNotification]
    /// Count of notifications per status (amounts 0).
    func notificationTotals() async throws -> [StatusTotal]
    /// The latencies (ms) of the newest delivery tries, at most `limit`.
    func recentAttemptLatencies(limit: Int) async throws -> [Int]
    /// When the next pending notification falls due (the console's "jump to the next due").
    func nextNotificationDue() async throws -> Date?
    /// An operator's resend: the notification is pending and due at `now`, in one statement.
    func resendNotification(notifyId: String, now: Date) async throws -> Bool
}

/// Which notifications the console and the admin API list: any of state, notify type and the
/// start of the notify URL.
public struct NotificationFilter: Sendable, Equatable {
    public var status: OutboxNotification.Status?
    public var notifyType: String?
    /// Case-sensitive, on both stores.
    public var urlPrefix: String?

    public init(status: OutboxNotification.Status? = nil, notifyType: String? = nil, urlPrefix: String? = nil) {
        self.status = status; self.notifyType = notifyType; self.urlPrefix = urlPrefix
    }
}

extension OutboxRepository {
    /// The newest notifications first, of one status or all.
    public func recentNotifications(status: OutboxNotification.Status?, limit: Int) async throws -> [OutboxNotification] {
        try await recentNotifications(NotificationFilter(status: status), limit: limit)
    }

    public func recordNotificationAttempt(_ attempt: NotificationAttempt, triesBefore: Int, nextAttemptAt: Date?) async throws {
        try await recordNotificationAttempts([NotificationOutcome(attempt: attempt, triesBefore: triesBefore, nextAttemptAt: nextAttemptAt)])
    }
}
