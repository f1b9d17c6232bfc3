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
    /// The transfers are posted from this fund authorisation's hold (product PRE_AUTH), and its
    /// PAY operation recorded.
    public var authPayment: FundAuthPayment?

    public init(trade: Trade, transfers: [Transfer] = [], refund: TradeRefund? = nil, paymentCode: (code: String, at: Date)? = nil,
                notifications: [OutboxNotification] = [], isNew: Bool = false, authPayment: FundAuthPayment? = nil) {
        self.trade = trade; self.transfers = transfers; self.refund = refund; self.paymentCode = paymentCode; self.notifications = notifications
        self.isNew = isNew; self.authPayment = authPayment
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
    /// The fund authorisation's hold could not pay it (too little left); nothing was changed.
    case holdRefused(PendingTransferResult)
}

/// Durable state of the gateway: one repository per aggregate. SQLite (embedded) and PostgreSQL
/// (many nodes) implement it with one shared implementation (ZhifuStore), and one conformance
/// suite runs against both. Every method is one transaction; the methods that take a whole change
/// (``TradeRepository/updateTrade(_:)``, ``BatchRepository/completeBatch(id:plans:finishedAt:outcome:notification:)``)
/// are the units of work: their money, records and notifications commit together or not at all.
public protocol Store: SettingsRepository, AccountRepository, MerchantRepository, TradeRepository, LedgerRepository,
                       BatchRepository, RefundBatchRepository, OutboxRepository, FundAuthRepository,
                       RefundApplicationRepository, KoubeiRepository, MybankRepository, HuabeiRepository, FaultRuleRepository,
                       BptbRepository, NotifySettingsRepository {
    /// Runs the append-only migrations.
    func migrate() async throws
    /// `sqlite` or `postgres`: what /health reports.
    var kind: String { get }
    /// Reaches the database outside any connection pool (which would keep retrying quietly) and
    /// throws the reason it cannot: refused TLS, a wrong password, no route.
    func probe() async throws
    func close() async throws
}
