import Foundation
import ZhifuProtocol

/// Why a store operation failed, independent of the database behind it.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A UNIQUE key was already taken (SQLite's constraint error, PostgreSQL's 23505).
    case duplicate(String)
    /// A row the operation needs does not exist.
    case notFound(String)
    /// A stored row does not decode (an unknown status, a malformed document): never read as a default.
    case corrupt(String)
    /// A schema constraint refused the change (CHECK, NOT NULL, FOREIGN KEY).
    case constraint(String)
    /// The database could not be reached or answered with an error.
    case database(String)

    public var description: String {
        switch self {
        case .duplicate(let what): "duplicate \(what)"
        case .notFound(let what): "\(what) not found"
        case .corrupt(let what): "corrupt row: \(what)"
        case .constraint(let what): "constraint violated: \(what)"
        case .database(let what): "database error: \(what)"
        }
    }
}

/// One change of a trade, committed whole or not at all: the trade's new state, the money it
/// moves, the refund it records, the payment code it uses up, and what the merchant is told.
public struct TradeUpdate: Sendable {
    /// The trade as it is to be stored; it is written only if the stored version is still
    /// `trade.version`, and is stored with the version bumped.
    public var trade: Trade
    public var transfers: [Transfer]
    public var refund: TradeRefund?
    /// The payment code this payment uses: it must be unused and unexpired at `trade`'s time.
    public var paymentCode: (code: String, at: Date)?
    public var notifications: [OutboxNotification]
    /// Insert the trade rather than update it (a trade created and paid at once); a trade number
    /// or out_trade_no already taken makes the update `.stale`.
    public var isNew: Bool

    public init(trade: Trade, transfers: [Transfer] = [], refund: TradeRefund? = nil, paymentCode: (code: String, at: Date)? = nil,
                notifications: [OutboxNotification] = [], isNew: Bool = false) {
        self.trade = trade; self.transfers = transfers; self.refund = refund; self.paymentCode = paymentCode; self.notifications = notifications
        self.isNew = isNew
    }
}

/// The outcome of ``Store/updateTrade(_:)``.
public enum TradeChange: Sendable, Equatable {
    case changed
    /// Another request changed the trade first (its version moved on); nothing was changed.
    case stale
    /// A transfer was refused; nothing was changed.
    case refused(TransferResult)
    /// The payment code was used or had expired; nothing was changed.
    case paymentCodeUnusable
}

/// Durable state of the gateway. SQLite (embedded) and PostgreSQL (many nodes) implement it, and one
/// conformance suite runs against both. Every method is one transaction.
public protocol Store: Sendable {
    /// Runs the append-only migrations.
    func migrate() async throws

    // MARK: Settings (shared by every gateway node: the gateway key, the demo-data marker)
    func setting(_ name: String) async throws -> String?
    /// Stores the value unless one exists; returns the value now stored.
    func setSettingIfAbsent(_ name: String, value: String) async throws -> String
    func setSetting(_ name: String, value: String) async throws

    // MARK: Accounts
    /// Inserts an account with a zero balance (money arrives only by transfers).
    /// Returns `false` when the user id exists. A taken logon id throws ``StoreError/duplicate(_:)``.
    func insertAccount(_ account: Account) async throws -> Bool
    func account(userId: UserId) async throws -> Account?
    func account(logonId: String) async throws -> Account?
    /// Counts a wrong payment password and blocks the account when the count reaches `blockAt`,
    /// in one statement; returns the new count and status.
    func recordWrongPassword(userId: UserId, blockAt: Int) async throws -> (failedAttempts: Int, status: AccountStatus)
    /// A right payment password: resets the count of a normal account (never unblocks one);
    /// returns the account's status.
    func recordRightPassword(userId: UserId) async throws -> AccountStatus
    /// An operator's block or unblock; unblocking also clears the count.
    func setAccountStatus(userId: UserId, _ status: AccountStatus) async throws

    // MARK: Merchants and apps
    func upsertMerchant(_ merchant: Merchant) async throws
    func merchant(partner: UserId) async throws -> Merchant?
    func upsertApp(_ app: App) async throws
    func app(appId: String) async throws -> App?

    // MARK: Trades
    /// Returns `false` when the trade number or `(partner, outTradeNo)` is taken.
    func insertTrade(_ trade: Trade) async throws -> Bool
    func trade(tradeNo: String) async throws -> Trade?
    func trade(partner: UserId, outTradeNo: String) async throws -> Trade?
    /// In one transaction: stores the trade's new state, posts the transfers, records the refund,
    /// uses up the payment code and queues the notifications. All or nothing.
    func updateTrade(_ update: TradeUpdate) async throws -> TradeChange
    /// Unpaid trades whose `expiresAt` is at or before `now` (timeout_express), oldest first.
    func expiredTradeNos(now: Date, limit: Int) async throws -> [String]
    /// Paid trades created at or before `before`: no longer refundable, to be finished.
    func tradeNos(status: TradeStatus, createdBefore before: Date, limit: Int) async throws -> [String]
    func refund(tradeNo: String, outRequestNo: String) async throws -> TradeRefund?

    // MARK: Payment codes and app auth tokens
    func insertPaymentCode(_ code: PaymentCode) async throws
    func paymentCode(_ code: String) async throws -> PaymentCode?
    func upsertAppAuthToken(_ token: AppAuthToken) async throws
    func appAuthToken(_ token: String) async throws -> AppAuthToken?

    // MARK: Ledger
    /// Posts transfers in one transaction; each gets its own result, a failed one changes nothing.
    func post(_ transfers: [Transfer]) async throws -> [TransferResult]
    func transfer(id: String) async throws -> Transfer?
    func transfers(reference: String) async throws -> [Transfer]
    /// Recomputes every balance from the transfers and checks the invariants.
    func audit() async throws -> LedgerAudit

    // MARK: Batches (batch_trans_notify)
    /// Inserts a new batch with its records; returns the stored batch when `(partner, batchNo)` exists.
    func insertBatch(_ batch: Batch) async throws -> Batch?
    func batch(partner: UserId, batchNo: String) async throws -> Batch?
    func batch(id: String) async throws -> Batch?
    /// Batches confirmed but not completed: resumed at start.
    func batchIds(status: Batch.Status) async throws -> [String]
    /// WAIT_CONFIRM → PROCESSING; `false` when the batch was not waiting (confirmed twice).
    func markBatchProcessing(id: String) async throws -> Bool
    /// In one transaction: posts every planned transfer, records each record's outcome
    /// (`outcome` maps a transfer's result to S, `nil`, or a failure reason), completes the batch,
    /// and writes the notification built from the outcomes into the outbox. Returns the outcomes in
    /// record order; a batch that is not PROCESSING is left untouched (`nil`), so running this
    /// twice pays nothing twice.
    func completeBatch(id: String, plans: [BatchRecordPlan], finishedAt: Date,
                       outcome: @escaping @Sendable (TransferResult) -> String?,
                       notification: @escaping @Sendable ([BatchRecordOutcome]) -> OutboxNotification?) async throws -> [BatchRecordOutcome]?

    // MARK: Notifications outbox
    /// Adds notifications on their own (what a state change with nothing else to commit needs).
    func insertNotifications(_ notifications: [OutboxNotification]) async throws
    func notification(notifyId: String) async throws -> OutboxNotification?
    /// Due pending notifications (`nextAttemptAt <= now`), at most `limit`; each claimed row's next
    /// attempt moves `leaseSeconds` ahead so no other worker or node takes it meanwhile.
    func claimDueNotifications(now: Date, limit: Int, leaseSeconds: Int64) async throws -> [OutboxNotification]
    /// Records tries and each notification's new state (acknowledged, scheduled again at
    /// `nextAttemptAt`, or exhausted when it is `nil`), all in one transaction.
    func recordNotificationAttempts(_ outcomes: [(attempt: NotificationAttempt, nextAttemptAt: Date?)]) async throws
    func notificationAttempts(notifyId: String) async throws -> [NotificationAttempt]

    func close() async throws
}

extension Store {
    public func recordNotificationAttempt(_ attempt: NotificationAttempt, nextAttemptAt: Date?) async throws {
        try await recordNotificationAttempts([(attempt, nextAttemptAt)])
    }
}
