import Foundation
import GRDB
import ZhifuCore
import ZhifuProtocol

/// The embedded store: one SQLite file in WAL mode through GRDB, one writer per process.
///
/// Durability: `synchronous = FULL`, so a committed transfer survives a crash or power loss.
public final class SQLiteStore: Store {
    private let writer: any DatabaseWriter

    /// Opens (creating if needed) the database at `path`; `nil` opens a private in-memory database.
    public init(path: String?) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        if let path {
            writer = try DatabasePool(path: path, configuration: configuration)
        } else {
            writer = try DatabaseQueue(configuration: configuration)
        }
    }

    public func migrate() async throws {
        try await Self.migrator.migrate(writer)
    }

    /// Append-only, named migrations: never edit one that has shipped, add the next.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1 accounts, merchants, apps, trades, transfers") { db in
            try db.execute(sql: """
                CREATE TABLE settings (
                  name TEXT PRIMARY KEY,
                  value TEXT NOT NULL
                );
                CREATE TABLE accounts (
                  user_id TEXT PRIMARY KEY CHECK (length(user_id) = 16 AND user_id GLOB '2088[0-9]*'),
                  logon_id TEXT NOT NULL UNIQUE CHECK (length(logon_id) BETWEEN 1 AND 100),
                  name TEXT NOT NULL,
                  kind TEXT NOT NULL CHECK (kind IN ('user', 'clearing')),
                  status TEXT NOT NULL CHECK (status IN ('normal', 'blocked')),
                  password_hash TEXT,
                  failed_password_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_password_attempts >= 0),
                  balance INTEGER NOT NULL DEFAULT 0,
                  CHECK (kind = 'clearing' OR balance >= 0)
                );
                CREATE TABLE merchants (
                  partner TEXT PRIMARY KEY REFERENCES accounts(user_id),
                  md5_key TEXT,
                  rsa_public_key TEXT,
                  dsa_public_key TEXT,
                  services TEXT NOT NULL
                );
                CREATE TABLE apps (
                  app_id TEXT PRIMARY KEY,
                  partner TEXT NOT NULL REFERENCES merchants(partner),
                  public_key TEXT NOT NULL,
                  sign_type TEXT NOT NULL CHECK (sign_type IN ('RSA', 'RSA2'))
                );
                CREATE TABLE trades (
                  trade_no TEXT PRIMARY KEY,
                  partner TEXT NOT NULL REFERENCES merchants(partner),
                  buyer TEXT REFERENCES accounts(user_id),
                  out_trade_no TEXT NOT NULL,
                  amount INTEGER NOT NULL CHECK (amount > 0),
                  status TEXT NOT NULL CHECK (status IN ('WAIT_BUYER_PAY', 'TRADE_SUCCESS', 'TRADE_FINISHED', 'TRADE_CLOSED')),
                  created_at INTEGER NOT NULL
                );
                CREATE TABLE transfers (
                  seq INTEGER PRIMARY KEY AUTOINCREMENT,
                  id TEXT NOT NULL UNIQUE,
                  debit_account TEXT NOT NULL REFERENCES accounts(user_id),
                  credit_account TEXT NOT NULL REFERENCES accounts(user_id),
                  amount INTEGER NOT NULL CHECK (amount > 0),
                  code TEXT NOT NULL,
                  reference TEXT NOT NULL,
                  created_at INTEGER NOT NULL,
                  CHECK (debit_account <> credit_account)
                );
                CREATE INDEX transfers_debit ON transfers(debit_account);
                CREATE INDEX transfers_credit ON transfers(credit_account);
                CREATE INDEX transfers_reference ON transfers(reference);
                CREATE TRIGGER transfers_no_update BEFORE UPDATE ON transfers
                  BEGIN SELECT RAISE(ABORT, 'transfers are immutable'); END;
                CREATE TRIGGER transfers_no_delete BEFORE DELETE ON transfers
                  BEGIN SELECT RAISE(ABORT, 'transfers are immutable'); END;
                """)
        }
        migrator.registerMigration("v2 batches and notifications") { db in
            try db.execute(sql: """
                CREATE TABLE batches (
                  id TEXT PRIMARY KEY,
                  partner TEXT NOT NULL REFERENCES merchants(partner),
                  batch_no TEXT NOT NULL,
                  fingerprint TEXT NOT NULL,
                  payer TEXT NOT NULL REFERENCES accounts(user_id),
                  account_name TEXT NOT NULL,
                  batch_fee INTEGER NOT NULL CHECK (batch_fee > 0),
                  pay_date TEXT NOT NULL,
                  notify_url TEXT,
                  sign_type TEXT NOT NULL,
                  charset TEXT NOT NULL,
                  extend_param TEXT,
                  status TEXT NOT NULL CHECK (status IN ('WAIT_CONFIRM', 'PROCESSING', 'COMPLETED')),
                  token TEXT NOT NULL UNIQUE,
                  created_at INTEGER NOT NULL,
                  UNIQUE (partner, batch_no)
                );
                CREATE INDEX batches_status ON batches(status);
                CREATE TABLE batch_details (
                  batch_id TEXT NOT NULL REFERENCES batches(id),
                  seq INTEGER NOT NULL,
                  serial_no TEXT NOT NULL,
                  payee_account TEXT NOT NULL,
                  payee_name TEXT NOT NULL,
                  amount INTEGER NOT NULL CHECK (amount > 0),
                  remark TEXT NOT NULL,
                  status TEXT NOT NULL CHECK (status IN ('PENDING', 'S', 'F')),
                  reason TEXT,
                  inner_no TEXT,
                  finished_at INTEGER,
                  PRIMARY KEY (batch_id, seq),
                  UNIQUE (batch_id, serial_no)
                );
                CREATE TABLE notifications (
                  notify_id TEXT PRIMARY KEY,
                  partner TEXT NOT NULL,
                  notify_url TEXT NOT NULL,
                  notify_type TEXT NOT NULL,
                  protocol TEXT NOT NULL CHECK (protocol IN ('mapi', 'openapi')),
                  sign_type TEXT NOT NULL,
                  charset TEXT NOT NULL,
                  parameters TEXT NOT NULL,
                  status TEXT NOT NULL CHECK (status IN ('PENDING', 'ACKNOWLEDGED', 'EXHAUSTED')),
                  attempts INTEGER NOT NULL DEFAULT 0,
                  next_attempt_at INTEGER NOT NULL,
                  created_at INTEGER NOT NULL
                );
                CREATE INDEX notifications_due ON notifications(status, next_attempt_at);
                CREATE TABLE notification_attempts (
                  seq INTEGER PRIMARY KEY AUTOINCREMENT,
                  notify_id TEXT NOT NULL REFERENCES notifications(notify_id),
                  attempted_at INTEGER NOT NULL,
                  http_status INTEGER,
                  body_prefix TEXT NOT NULL,
                  latency_ms INTEGER NOT NULL,
                  error TEXT,
                  acknowledged INTEGER NOT NULL
                );
                CREATE INDEX notification_attempts_id ON notification_attempts(notify_id);
                """)
        }
        migrator.registerMigration("v3 trade subject, fingerprint and out_trade_no per partner") { db in
            try db.execute(sql: """
                ALTER TABLE trades ADD COLUMN subject TEXT NOT NULL DEFAULT '';
                ALTER TABLE trades ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
                CREATE UNIQUE INDEX trades_out_trade_no ON trades(partner, out_trade_no);
                """)
        }
        migrator.registerMigration("v4 trade versions, expiry, details, refunds, payment codes, app auth tokens") { db in
            try db.execute(sql: """
                ALTER TABLE trades ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE trades ADD COLUMN expires_at INTEGER;
                ALTER TABLE trades ADD COLUMN details TEXT NOT NULL DEFAULT '{}';
                CREATE INDEX trades_expiry ON trades(status, expires_at);
                CREATE INDEX trades_status_created ON trades(status, created_at);
                CREATE TABLE trade_refunds (
                  trade_no TEXT NOT NULL REFERENCES trades(trade_no),
                  out_request_no TEXT NOT NULL,
                  amount INTEGER NOT NULL CHECK (amount > 0),
                  reason TEXT,
                  created_at INTEGER NOT NULL,
                  PRIMARY KEY (trade_no, out_request_no)
                );
                CREATE TABLE payment_codes (
                  code TEXT PRIMARY KEY,
                  user_id TEXT NOT NULL REFERENCES accounts(user_id),
                  expires_at INTEGER NOT NULL,
                  used_at INTEGER
                );
                CREATE TABLE app_auth_tokens (
                  token TEXT PRIMARY KEY,
                  app_id TEXT NOT NULL,
                  partner TEXT NOT NULL
                );
                """)
        }
        return migrator
    }

    /// Maps GRDB's errors to the store's, so callers handle SQLite and PostgreSQL alike.
    private func run<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await writer.write(body)
        } catch let error as DatabaseError {
            throw Self.storeError(error)
        }
    }

    private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await writer.read(body)
        } catch let error as DatabaseError {
            throw Self.storeError(error)
        }
    }

    static func storeError(_ error: DatabaseError) -> StoreError {
        switch error.extendedResultCode {
        case .SQLITE_CONSTRAINT_UNIQUE, .SQLITE_CONSTRAINT_PRIMARYKEY: .duplicate(error.message ?? "key")
        case .SQLITE_CONSTRAINT_CHECK, .SQLITE_CONSTRAINT_NOTNULL, .SQLITE_CONSTRAINT_FOREIGNKEY, .SQLITE_CONSTRAINT_TRIGGER:
            .constraint(error.message ?? "constraint")
        default: .database(error.description)
        }
    }

    // MARK: Settings

    public func setting(_ name: String) async throws -> String? {
        try await read { db in try String.fetchOne(db, sql: "SELECT value FROM settings WHERE name = ?", arguments: [name]) }
    }

    public func setSettingIfAbsent(_ name: String, value: String) async throws -> String {
        try await run { db in
            try db.execute(sql: "INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", arguments: [name, value])
            return try String.fetchOne(db, sql: "SELECT value FROM settings WHERE name = ?", arguments: [name]) ?? value
        }
    }

    public func setSetting(_ name: String, value: String) async throws {
        try await run { db in
            try db.execute(sql: "INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                           arguments: [name, value])
        }
    }

    // MARK: Accounts

    private static let accountColumns = "user_id, logon_id, name, kind, status, password_hash, failed_password_attempts, balance"

    private static func account(_ row: Row) -> Account? {
        guard let userId = UserId(row[0]), let kind = AccountKind(rawValue: row[3]), let status = AccountStatus(rawValue: row[4]) else {
            return nil
        }
        return Account(userId: userId, logonId: row[1], name: row[2], kind: kind, status: status, passwordHash: row[5],
                       failedPasswordAttempts: row[6], balance: Amount(fen: row[7]))
    }

    public func insertAccount(_ account: Account) async throws -> Bool {
        try await run { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM accounts WHERE user_id = ?", arguments: [account.userId.rawValue]) == true {
                return false
            }
            try db.execute(sql: """
                INSERT INTO accounts (user_id, logon_id, name, kind, status, password_hash, failed_password_attempts, balance)
                VALUES (?, ?, ?, ?, ?, ?, ?, 0)
                """, arguments: [account.userId.rawValue, account.logonId, account.name, account.kind.rawValue,
                                 account.status.rawValue, account.passwordHash, account.failedPasswordAttempts])
            return true
        }
    }

    public func account(userId: UserId) async throws -> Account? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Self.accountColumns) FROM accounts WHERE user_id = ?"), arguments: [userId.rawValue])
                .flatMap(Self.account)
        }
    }

    public func account(logonId: String) async throws -> Account? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Self.accountColumns) FROM accounts WHERE logon_id = ?"), arguments: [logonId])
                .flatMap(Self.account)
        }
    }

    public func recordWrongPassword(userId: UserId, blockAt: Int) async throws -> (failedAttempts: Int, status: AccountStatus) {
        try await run { db in
            guard let row = try Row.fetchOne(db, sql: """
                UPDATE accounts SET failed_password_attempts = failed_password_attempts + 1,
                  status = CASE WHEN failed_password_attempts + 1 >= ? THEN 'blocked' ELSE status END
                WHERE user_id = ? RETURNING failed_password_attempts, status
                """, arguments: [blockAt, userId.rawValue]) else { throw StoreError.notFound("account \(userId)") }
            guard let status = AccountStatus(rawValue: row[1]) else { throw StoreError.corrupt("account \(userId) status") }
            return (row[0], status)
        }
    }

    public func recordRightPassword(userId: UserId) async throws -> AccountStatus {
        try await run { db in
            try db.execute(sql: "UPDATE accounts SET failed_password_attempts = 0 WHERE user_id = ? AND status = 'normal' AND failed_password_attempts > 0",
                           arguments: [userId.rawValue])
            guard let text = try String.fetchOne(db, sql: "SELECT status FROM accounts WHERE user_id = ?", arguments: [userId.rawValue]) else {
                throw StoreError.notFound("account \(userId)")
            }
            guard let status = AccountStatus(rawValue: text) else { throw StoreError.corrupt("account \(userId) status") }
            return status
        }
    }

    public func setAccountStatus(userId: UserId, _ status: AccountStatus) async throws {
        try await run { db in
            try db.execute(sql: """
                UPDATE accounts SET status = ?, failed_password_attempts = CASE WHEN ? = 'normal' THEN 0 ELSE failed_password_attempts END
                WHERE user_id = ?
                """, arguments: [status.rawValue, status.rawValue, userId.rawValue])
            if db.changesCount == 0 { throw StoreError.notFound("account \(userId)") }
        }
    }

    // MARK: Merchants and apps

    public func upsertMerchant(_ merchant: Merchant) async throws {
        try await run { db in
            try db.execute(sql: """
                INSERT INTO merchants (partner, md5_key, rsa_public_key, dsa_public_key, services) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (partner) DO UPDATE SET md5_key = excluded.md5_key, rsa_public_key = excluded.rsa_public_key,
                  dsa_public_key = excluded.dsa_public_key, services = excluded.services
                """, arguments: [merchant.partner.rawValue, merchant.md5Key, merchant.rsaPublicKey, merchant.dsaPublicKey,
                                 merchant.services.joined(separator: ",")])
        }
    }

    public func merchant(partner: UserId) async throws -> Merchant? {
        try await read { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT md5_key, rsa_public_key, dsa_public_key, services FROM merchants WHERE partner = ?"),
                                             arguments: [partner.rawValue]) else { return nil }
            let services: String = row[3]
            return Merchant(partner: partner, md5Key: row[0], rsaPublicKey: row[1], dsaPublicKey: row[2],
                            services: services.split(separator: ",").map(String.init))
        }
    }

    public func upsertApp(_ app: App) async throws {
        try await run { db in
            try db.execute(sql: """
                INSERT INTO apps (app_id, partner, public_key, sign_type) VALUES (?, ?, ?, ?)
                ON CONFLICT (app_id) DO UPDATE SET partner = excluded.partner, public_key = excluded.public_key, sign_type = excluded.sign_type
                """, arguments: [app.appId, app.partner.rawValue, app.publicKey, app.signType.rawValue])
        }
    }

    public func app(appId: String) async throws -> App? {
        try await read { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT partner, public_key, sign_type FROM apps WHERE app_id = ?"), arguments: [appId]),
                  let partner = UserId(row[0]), let signType = SignType(rawValue: row[2]) else { return nil }
            return App(appId: appId, partner: partner, publicKey: row[1], signType: signType)
        }
    }

    // MARK: Trades

    public func insertTrade(_ trade: Trade) async throws -> Bool {
        try await run { db in try Self.insert(db, trade, version: trade.version) }
    }

    /// Inserts unless the trade number or `(partner, out_trade_no)` is taken; says whether it did.
    private static func insert(_ db: Database, _ trade: Trade, version: Int) throws -> Bool {
        try db.cachedStatement(sql: """
            INSERT INTO trades (trade_no, partner, buyer, out_trade_no, amount, status, created_at, subject, fingerprint, version, expires_at, details)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
            """).execute(arguments: [trade.tradeNo, trade.partner.rawValue, trade.buyer?.rawValue, trade.outTradeNo, trade.amount.fen,
                                     trade.status.rawValue, milliseconds(trade.createdAt), trade.subject, trade.fingerprint,
                                     version, trade.expiresAt.map(milliseconds), trade.details.json])
        return db.changesCount > 0
    }

    public func trade(tradeNo: String) async throws -> Trade? {
        try await read { db in try Self.trade(db, where: "trade_no = ?", [tradeNo]) }
    }

    public func trade(partner: UserId, outTradeNo: String) async throws -> Trade? {
        try await read { db in try Self.trade(db, where: "partner = ? AND out_trade_no = ? ORDER BY created_at LIMIT 1", [partner.rawValue, outTradeNo]) }
    }

    private static func trade(_ db: Database, where condition: String, _ arguments: StatementArguments) throws -> Trade? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT trade_no, partner, buyer, out_trade_no, amount, status, created_at, subject, fingerprint, version, expires_at, details
            FROM trades WHERE \(condition)
            """), arguments: arguments) else { return nil }
        guard let partner = UserId(row[1]), let status = TradeStatus(rawValue: row[5]) else { throw StoreError.corrupt("trade \(row[0] as String)") }
        let buyer: String? = row[2], expiresAt: Int64? = row[10]
        return Trade(tradeNo: row[0], partner: partner, buyer: buyer.flatMap(UserId.init), outTradeNo: row[3],
                     amount: Amount(fen: row[4]), status: status, createdAt: date(row[6]), subject: row[7], fingerprint: row[8],
                     version: row[9], expiresAt: expiresAt.map(date), details: try TradeDetails(json: row[11]))
    }

    public func updateTrade(_ update: TradeUpdate) async throws -> TradeChange {
        do {
            return try await run { db in
                let trade = update.trade
                if update.isNew {
                    guard try Self.insert(db, trade, version: trade.version + 1) else { return .stale }
                } else {
                    try db.cachedStatement(sql: """
                        UPDATE trades SET buyer = ?, status = ?, version = version + 1, expires_at = ?, details = ? WHERE trade_no = ? AND version = ?
                        """).execute(arguments: [trade.buyer?.rawValue, trade.status.rawValue, trade.expiresAt.map(Self.milliseconds),
                                                 trade.details.json, trade.tradeNo, trade.version])
                    guard db.changesCount == 1 else { return .stale }
                }
                if let (code, time) = update.paymentCode {
                    try db.cachedStatement(sql: "UPDATE payment_codes SET used_at = ? WHERE code = ? AND used_at IS NULL AND expires_at > ?")
                        .execute(arguments: [Self.milliseconds(time), code, Self.milliseconds(time)])
                    // Throwing rolls the whole transaction back, trade change included.
                    if db.changesCount != 1 { throw Refused(change: .paymentCodeUnusable) }
                }
                for transfer in update.transfers {
                    let result = try Self.post(db, transfer)
                    if !result.isPosted { throw Refused(change: .refused(result)) }
                }
                if let refund = update.refund {
                    try db.execute(sql: "INSERT INTO trade_refunds (trade_no, out_request_no, amount, reason, created_at) VALUES (?, ?, ?, ?, ?)",
                                   arguments: [refund.tradeNo, refund.outRequestNo, refund.amount.fen, refund.reason, Self.milliseconds(refund.createdAt)])
                }
                for notification in update.notifications { try Self.insert(db, notification) }
                return .changed
            }
        } catch let refused as Refused {
            return refused.change
        }
    }

    public func expiredTradeNos(now: Date, limit: Int) async throws -> [String] {
        try await read { db in
            try String.fetchAll(db, sql: """
                SELECT trade_no FROM trades WHERE status = 'WAIT_BUYER_PAY' AND expires_at <= ? ORDER BY expires_at LIMIT ?
                """, arguments: [Self.milliseconds(now), limit])
        }
    }

    public func tradeNos(status: TradeStatus, createdBefore before: Date, limit: Int) async throws -> [String] {
        try await read { db in
            try String.fetchAll(db, sql: "SELECT trade_no FROM trades WHERE status = ? AND created_at <= ? ORDER BY created_at LIMIT ?",
                                arguments: [status.rawValue, Self.milliseconds(before), limit])
        }
    }

    public func refund(tradeNo: String, outRequestNo: String) async throws -> TradeRefund? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT amount, reason, created_at FROM trade_refunds WHERE trade_no = ? AND out_request_no = ?"),
                             arguments: [tradeNo, outRequestNo]).map {
                TradeRefund(tradeNo: tradeNo, outRequestNo: outRequestNo, amount: Amount(fen: $0[0]), reason: $0[1], createdAt: Self.date($0[2]))
            }
        }
    }

    // MARK: Payment codes and app auth tokens

    public func insertPaymentCode(_ code: PaymentCode) async throws {
        try await run { db in
            try db.execute(sql: "INSERT INTO payment_codes (code, user_id, expires_at, used_at) VALUES (?, ?, ?, ?)",
                           arguments: [code.code, code.buyer.rawValue, Self.milliseconds(code.expiresAt), code.usedAt.map(Self.milliseconds)])
        }
    }

    public func paymentCode(_ code: String) async throws -> PaymentCode? {
        try await read { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT user_id, expires_at, used_at FROM payment_codes WHERE code = ?"), arguments: [code]),
                  let buyer = UserId(row[0]) else { return nil }
            let usedAt: Int64? = row[2]
            return PaymentCode(code: code, buyer: buyer, expiresAt: Self.date(row[1]), usedAt: usedAt.map(Self.date))
        }
    }

    public func upsertAppAuthToken(_ token: AppAuthToken) async throws {
        try await run { db in
            try db.execute(sql: """
                INSERT INTO app_auth_tokens (token, app_id, partner) VALUES (?, ?, ?)
                ON CONFLICT (token) DO UPDATE SET app_id = excluded.app_id, partner = excluded.partner
                """, arguments: [token.token, token.appId, token.partner.rawValue])
        }
    }

    public func appAuthToken(_ token: String) async throws -> AppAuthToken? {
        try await read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT app_id, partner FROM app_auth_tokens WHERE token = ?", arguments: [token]),
                  let partner = UserId(row[1]) else { return nil }
            return AppAuthToken(token: token, appId: row[0], partner: partner)
        }
    }

    private struct Refused: Error { var change: TradeChange }

    // MARK: Ledger

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000) }

    private static let transferColumns = "id, debit_account, credit_account, amount, code, reference, created_at"

    private static func transfer(_ row: Row) -> Transfer? {
        guard let debit = UserId(row[1]), let credit = UserId(row[2]) else { return nil }
        return Transfer(id: row[0], debit: debit, credit: credit, amount: Amount(fen: row[3]), code: row[4], reference: row[5], createdAt: date(row[6]))
    }

    private static func state(_ db: Database, _ userId: UserId) throws -> LedgerAccountState? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT kind, balance FROM accounts WHERE user_id = ?"), arguments: [userId.rawValue]),
              let kind = AccountKind(rawValue: row[0]) else { return nil }
        return LedgerAccountState(kind: kind, balance: Amount(fen: row[1]))
    }

    public func post(_ transfers: [Transfer]) async throws -> [TransferResult] {
        try await run { db in try transfers.map { try Self.post(db, $0) } }
    }

    /// Posts one transfer inside the caller's transaction. The statements are prepared once per
    /// connection and reused: a 1000-record batch runs them thousands of times.
    private static func post(_ db: Database, _ transfer: Transfer) throws -> TransferResult {
        let existing = try Row.fetchOne(db.cachedStatement(sql: "SELECT \(transferColumns) FROM transfers WHERE id = ?"), arguments: [transfer.id])
            .flatMap(Self.transfer)
        if let refusal = LedgerPosting.decide(transfer, existing: existing, debit: try state(db, transfer.debit),
                                              credit: try state(db, transfer.credit)) {
            return refusal
        }
        try db.cachedStatement(sql: "UPDATE accounts SET balance = balance - ? WHERE user_id = ? AND (kind = 'clearing' OR balance >= ?)")
            .execute(arguments: [transfer.amount.fen, transfer.debit.rawValue, transfer.amount.fen])
        guard db.changesCount == 1 else { return .exceedsBalance }
        try db.cachedStatement(sql: "UPDATE accounts SET balance = balance + ? WHERE user_id = ?")
            .execute(arguments: [transfer.amount.fen, transfer.credit.rawValue])
        try db.cachedStatement(sql: "INSERT INTO transfers (\(transferColumns)) VALUES (?, ?, ?, ?, ?, ?, ?)")
            .execute(arguments: [transfer.id, transfer.debit.rawValue, transfer.credit.rawValue, transfer.amount.fen,
                                 transfer.code, transfer.reference, milliseconds(transfer.createdAt)])
        return .created
    }

    public func transfer(id: String) async throws -> Transfer? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.transferColumns) FROM transfers WHERE id = ?", arguments: [id]).flatMap(Self.transfer)
        }
    }

    public func transfers(reference: String) async throws -> [Transfer] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.transferColumns) FROM transfers WHERE reference = ? ORDER BY seq", arguments: [reference])
                .compactMap(Self.transfer)
        }
    }

    public func audit() async throws -> LedgerAudit {
        try await read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT
                  (SELECT COUNT(*) FROM accounts),
                  (SELECT COUNT(*) FROM transfers),
                  (SELECT COALESCE(SUM(balance), 0) FROM accounts),
                  (SELECT COUNT(*) FROM accounts WHERE kind <> 'clearing' AND balance < 0),
                  (SELECT COUNT(*) FROM accounts a WHERE a.balance <>
                     COALESCE((SELECT SUM(amount) FROM transfers WHERE credit_account = a.user_id), 0)
                   - COALESCE((SELECT SUM(amount) FROM transfers WHERE debit_account = a.user_id), 0))
                """)!
            return LedgerAudit(accounts: row[0], transfers: row[1], balanceSum: row[2], negativeUserAccounts: row[3], mismatchedAccounts: row[4])
        }
    }

    // MARK: Batches

    private static let batchColumns = """
        id, partner, batch_no, fingerprint, payer, account_name, batch_fee, pay_date, notify_url, sign_type, charset, extend_param, status, token, created_at
        """

    private static func batch(_ db: Database, where condition: String, _ arguments: StatementArguments) throws -> Batch? {
        guard let row = try Row.fetchOne(db, sql: "SELECT \(batchColumns) FROM batches WHERE \(condition)", arguments: arguments),
              let partner = UserId(row[1]), let payer = UserId(row[4]), let signType = SignType(rawValue: row[9]),
              let charset = Charset(name: row[10]), let status = Batch.Status(rawValue: row[12]) else { return nil }
        let id: String = row[0]
        let details = try Row.fetchAll(db, sql: """
            SELECT serial_no, payee_account, payee_name, amount, remark, status, reason, inner_no, finished_at
            FROM batch_details WHERE batch_id = ? ORDER BY seq
            """, arguments: [id]).map { d in
            let finished: Int64? = d[8]
            return BatchRecord(detail: BatchTransDetail(serialNo: d[0], payeeAccount: d[1], payeeName: d[2], amount: Amount(fen: d[3]), remark: d[4]),
                               status: BatchRecord.Status(rawValue: d[5]) ?? .pending, reason: d[6], innerNo: d[7], finishedAt: finished.map(date))
        }
        return Batch(id: id, partner: partner, batchNo: row[2], fingerprint: row[3], payer: payer, accountName: row[5],
                     batchFee: Amount(fen: row[6]), payDate: row[7], notifyURL: row[8], signType: signType, charset: charset,
                     extendParam: row[11], status: status, token: row[13], createdAt: date(row[14]), details: details)
    }

    public func insertBatch(_ batch: Batch) async throws -> Batch? {
        try await run { db in
            if let existing = try Self.batch(db, where: "partner = ? AND batch_no = ?", [batch.partner.rawValue, batch.batchNo]) {
                return existing
            }
            try db.execute(sql: "INSERT INTO batches (\(Self.batchColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", arguments: [
                batch.id, batch.partner.rawValue, batch.batchNo, batch.fingerprint, batch.payer.rawValue, batch.accountName, batch.batchFee.fen,
                batch.payDate, batch.notifyURL, batch.signType.rawValue, batch.charset.rawValue, batch.extendParam, batch.status.rawValue,
                batch.token, Self.milliseconds(batch.createdAt)])
            let insert = try db.makeStatement(sql: """
                INSERT INTO batch_details (batch_id, seq, serial_no, payee_account, payee_name, amount, remark, status) VALUES (?, ?, ?, ?, ?, ?, ?, 'PENDING')
                """)
            for (seq, record) in batch.details.enumerated() {
                let d = record.detail
                try insert.execute(arguments: [batch.id, seq, d.serialNo, d.payeeAccount, d.payeeName, d.amount.fen, d.remark])
            }
            return nil
        }
    }

    public func batch(partner: UserId, batchNo: String) async throws -> Batch? {
        try await read { db in try Self.batch(db, where: "partner = ? AND batch_no = ?", [partner.rawValue, batchNo]) }
    }

    public func batch(id: String) async throws -> Batch? {
        try await read { db in try Self.batch(db, where: "id = ?", [id]) }
    }

    public func batchIds(status: Batch.Status) async throws -> [String] {
        try await read { db in try String.fetchAll(db, sql: "SELECT id FROM batches WHERE status = ? ORDER BY created_at", arguments: [status.rawValue]) }
    }

    public func markBatchProcessing(id: String) async throws -> Bool {
        try await run { db in
            try db.execute(sql: "UPDATE batches SET status = 'PROCESSING' WHERE id = ? AND status = 'WAIT_CONFIRM'", arguments: [id])
            return db.changesCount == 1
        }
    }

    public func completeBatch(id: String, plans: [BatchRecordPlan], finishedAt: Date, outcome: @escaping @Sendable (TransferResult) -> String?,
                              notification: @escaping @Sendable ([BatchRecordOutcome]) -> OutboxNotification?) async throws -> [BatchRecordOutcome]? {
        try await run { db in
            guard try String.fetchOne(db, sql: "SELECT status FROM batches WHERE id = ?", arguments: [id]) == Batch.Status.processing.rawValue else {
                return nil
            }
            let update = try db.makeStatement(sql: "UPDATE batch_details SET status = ?, reason = ?, inner_no = ?, finished_at = ? WHERE batch_id = ? AND seq = ?")
            var outcomes: [BatchRecordOutcome] = []
            outcomes.reserveCapacity(plans.count)
            for (seq, plan) in plans.enumerated() {
                let recorded: BatchRecordOutcome = switch plan {
                case .pay(let transfer):
                    try outcome(Self.post(db, transfer)).map { BatchRecordOutcome(status: .failure, reason: $0, innerNo: transfer.id, finishedAt: finishedAt) }
                        ?? BatchRecordOutcome(status: .success, reason: nil, innerNo: transfer.id, finishedAt: finishedAt)
                case .fail(let reason, let innerNo):
                    BatchRecordOutcome(status: .failure, reason: reason, innerNo: innerNo, finishedAt: finishedAt)
                }
                try update.execute(arguments: [recorded.status.rawValue, recorded.reason, recorded.innerNo, Self.milliseconds(finishedAt), id, seq])
                outcomes.append(recorded)
            }
            try db.execute(sql: "UPDATE batches SET status = 'COMPLETED' WHERE id = ?", arguments: [id])
            if let row = notification(outcomes) { try Self.insert(db, row) }
            return outcomes
        }
    }

    // MARK: Notifications

    private static let notificationColumns = """
        notify_id, partner, notify_url, notify_type, protocol, sign_type, charset, parameters, status, attempts, next_attempt_at, created_at
        """

    private static func insert(_ db: Database, _ n: OutboxNotification) throws {
        try db.execute(sql: "INSERT INTO notifications (\(notificationColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", arguments: [
            n.notifyId, n.partner.rawValue, n.notifyURL, n.notifyType, n.protocol.rawValue, n.signType.rawValue, n.charset.rawValue,
            n.parameters.jsonText, n.status.rawValue, n.attempts, milliseconds(n.nextAttemptAt), milliseconds(n.createdAt)])
    }

    private static func notification(_ row: Row) -> OutboxNotification? {
        guard let partner = UserId(row[1]), let proto = OutboxNotification.WireProtocol(rawValue: row[4]), let signType = SignType(rawValue: row[5]),
              let charset = Charset(name: row[6]), let parameters = Parameters(jsonText: row[7]), let status = OutboxNotification.Status(rawValue: row[8])
        else { return nil }
        return OutboxNotification(notifyId: row[0], partner: partner, notifyURL: row[2], notifyType: row[3], protocol: proto, signType: signType,
                            charset: charset, parameters: parameters, status: status, attempts: row[9], nextAttemptAt: date(row[10]), createdAt: date(row[11]))
    }

    public func insertNotifications(_ notifications: [OutboxNotification]) async throws {
        try await run { db in for notification in notifications { try Self.insert(db, notification) } }
    }

    public func notification(notifyId: String) async throws -> OutboxNotification? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.notificationColumns) FROM notifications WHERE notify_id = ?", arguments: [notifyId])
                .flatMap(Self.notification)
        }
    }

    public func claimDueNotifications(now: Date, limit: Int, leaseSeconds: Int64) async throws -> [OutboxNotification] {
        try await run { db in
            let due = try Row.fetchAll(db, sql: """
                SELECT \(Self.notificationColumns) FROM notifications WHERE status = 'PENDING' AND next_attempt_at <= ?
                ORDER BY next_attempt_at LIMIT ?
                """, arguments: [Self.milliseconds(now), limit]).compactMap(Self.notification)
            let lease = Self.milliseconds(now) + leaseSeconds * 1000
            for n in due {
                try db.execute(sql: "UPDATE notifications SET next_attempt_at = ? WHERE notify_id = ?", arguments: [lease, n.notifyId])
            }
            return due
        }
    }

    public func recordNotificationAttempts(_ outcomes: [(attempt: NotificationAttempt, nextAttemptAt: Date?)]) async throws {
        try await run { db in
            let insert = try db.cachedStatement(sql: """
                INSERT INTO notification_attempts (notify_id, attempted_at, http_status, body_prefix, latency_ms, error, acknowledged)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            let update = try db.cachedStatement(sql: """
                UPDATE notifications SET attempts = attempts + 1, status = ?, next_attempt_at = COALESCE(?, next_attempt_at)
                WHERE notify_id = ? AND status = 'PENDING'
                """)
            for (attempt, nextAttemptAt) in outcomes {
                try insert.execute(arguments: [attempt.notifyId, Self.milliseconds(attempt.attemptedAt), attempt.httpStatus, attempt.bodyPrefix,
                                               attempt.latencyMilliseconds, attempt.error, attempt.acknowledged])
                let status: OutboxNotification.Status = attempt.acknowledged ? .acknowledged : (nextAttemptAt == nil ? .exhausted : .pending)
                try update.execute(arguments: [status.rawValue, nextAttemptAt.map(Self.milliseconds), attempt.notifyId])
            }
        }
    }

    public func notificationAttempts(notifyId: String) async throws -> [NotificationAttempt] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT notify_id, attempted_at, http_status, body_prefix, latency_ms, error, acknowledged FROM notification_attempts
                WHERE notify_id = ? ORDER BY seq
                """, arguments: [notifyId]).map {
                NotificationAttempt(notifyId: $0[0], attemptedAt: Self.date($0[1]), httpStatus: $0[2], bodyPrefix: $0[3],
                                    latencyMilliseconds: $0[4], error: $0[5], acknowledged: $0[6])
            }
        }
    }

    public func close() async throws {
        if let pool = writer as? DatabasePool { try pool.close() }
    }
}
