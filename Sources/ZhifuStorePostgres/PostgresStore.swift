import Foundation
import Logging
import PostgresNIO
import ZhifuCore
import ZhifuProtocol

/// The store for many gateway nodes sharing one PostgreSQL database.
///
/// Every method is one transaction on a pooled connection. Postings lock the two accounts in user-id
/// order (`SELECT … FOR UPDATE`), so concurrent nodes serialise per account, and a deadlock or
/// serialisation failure is retried.
public final class PostgresStore: Store {
    private let client: PostgresClient
    private let runTask: Task<Void, Never>
    private let logger: Logger

    /// Connects to `postgres://user:password@host:port/database`.
    public init(url: String, logger: Logger = Logger(label: "zhifu.postgres")) throws {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? ""),
              let host = components.host, !host.isEmpty else {
            throw StoreError.database("not a postgres:// URL: \(url)")
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        var configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: components.user ?? "postgres",
            password: components.password, database: database.isEmpty ? nil : database, tls: .disable)
        configuration.options.maximumConnections = 16
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        self.runTask = Task { await client.run() }
    }

    public func close() async throws {
        runTask.cancel()
    }

    static func storeError(_ error: any Error) -> any Error {
        guard let error = error as? PSQLError else { return error }
        let state = error.serverInfo?[.sqlState] ?? ""
        let message = error.serverInfo?[.message] ?? "\(error)"
        switch state {
        case "23505": return StoreError.duplicate(message)
        case "23514", "23502", "23503", "P0001": return StoreError.constraint(message)
        default: return StoreError.database("\(state) \(message)")
        }
    }

    /// Runs `body` in a transaction; retries deadlocks (40P01), serialisation failures (40001) and a
    /// unique violation (23505) from a racing node, after which the body sees the winner's row.
    private func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await client.withConnection { connection in
                    try await connection.query("BEGIN", logger: logger)
                    do {
                        let value = try await body(connection)
                        try await connection.query("COMMIT", logger: logger)
                        return value
                    } catch {
                        _ = try? await connection.query("ROLLBACK", logger: logger)
                        throw error
                    }
                }
            } catch let error as PSQLError {
                let state = error.serverInfo?[.sqlState]
                if ["40P01", "40001", "23505"].contains(state), attempt < 5 { continue }
                throw Self.storeError(error)
            }
        }
    }

    /// Runs a query outside a transaction. Errors may surface while rows are read, so methods
    /// wrap their whole body in ``mapped(_:)``.
    private func query(_ query: PostgresQuery) async throws -> PostgresRowSequence {
        try await client.query(query, logger: logger)
    }

    private func mapped<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch { throw Self.storeError(error) }
    }

    // MARK: Migrations

    /// Append-only, named migrations, applied under an advisory lock so that nodes starting
    /// together do not race.
    static let migrations: [(name: String, sql: [String])] = [
        ("v1 accounts, merchants, apps, trades, transfers", [
            "CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
            """
            CREATE TABLE accounts (
              user_id TEXT PRIMARY KEY CHECK (user_id ~ '^2088[0-9]{12}$'),
              logon_id TEXT NOT NULL UNIQUE CHECK (length(logon_id) BETWEEN 1 AND 100),
              name TEXT NOT NULL,
              kind TEXT NOT NULL CHECK (kind IN ('user', 'clearing')),
              status TEXT NOT NULL CHECK (status IN ('normal', 'blocked')),
              password_hash TEXT,
              failed_password_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_password_attempts >= 0),
              balance BIGINT NOT NULL DEFAULT 0,
              CHECK (kind = 'clearing' OR balance >= 0)
            )
            """,
            """
            CREATE TABLE merchants (
              partner TEXT PRIMARY KEY REFERENCES accounts(user_id),
              md5_key TEXT, rsa_public_key TEXT, dsa_public_key TEXT,
              services TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE apps (
              app_id TEXT PRIMARY KEY,
              partner TEXT NOT NULL REFERENCES merchants(partner),
              public_key TEXT NOT NULL,
              sign_type TEXT NOT NULL CHECK (sign_type IN ('RSA', 'RSA2'))
            )
            """,
            """
            CREATE TABLE trades (
              trade_no TEXT PRIMARY KEY,
              partner TEXT NOT NULL REFERENCES merchants(partner),
              buyer TEXT REFERENCES accounts(user_id),
              out_trade_no TEXT NOT NULL,
              amount BIGINT NOT NULL CHECK (amount > 0),
              status TEXT NOT NULL CHECK (status IN ('WAIT_BUYER_PAY', 'TRADE_SUCCESS', 'TRADE_FINISHED', 'TRADE_CLOSED')),
              created_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE transfers (
              seq BIGSERIAL PRIMARY KEY,
              id TEXT NOT NULL UNIQUE,
              debit_account TEXT NOT NULL REFERENCES accounts(user_id),
              credit_account TEXT NOT NULL REFERENCES accounts(user_id),
              amount BIGINT NOT NULL CHECK (amount > 0),
              code TEXT NOT NULL,
              reference TEXT NOT NULL,
              created_at BIGINT NOT NULL,
              CHECK (debit_account <> credit_account)
            )
            """,
            "CREATE INDEX transfers_debit ON transfers(debit_account)",
            "CREATE INDEX transfers_credit ON transfers(credit_account)",
            "CREATE INDEX transfers_reference ON transfers(reference)",
            """
            CREATE FUNCTION transfers_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'transfers are immutable'; END $$
            """,
            "CREATE TRIGGER transfers_no_change BEFORE UPDATE OR DELETE ON transfers FOR EACH ROW EXECUTE FUNCTION transfers_immutable()",
        ]),
    ]

    public func migrate() async throws {
        for migration in Self.migrations {
            try await transaction { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(20880001)", logger: logger)
                try await connection.query("""
                    CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                    """, logger: logger)
                let done = try await connection.query("SELECT 1 FROM schema_migrations WHERE name = \(migration.name)", logger: logger)
                for try await _ in done { return }
                for statement in migration.sql {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO schema_migrations (name) VALUES (\(migration.name))", logger: logger)
            }
        }
    }

    // MARK: Settings

    public func setting(_ name: String) async throws -> String? {
        try await mapped {
            for try await value in try await query("SELECT value FROM settings WHERE name = \(name)").decode(String.self) { return value }
            return nil
        }
    }

    public func setSettingIfAbsent(_ name: String, value: String) async throws -> String {
        try await mapped {
            _ = try await query("INSERT INTO settings (name, value) VALUES (\(name), \(value)) ON CONFLICT (name) DO NOTHING")
            return try await setting(name) ?? value
        }
    }

    public func setSetting(_ name: String, value: String) async throws {
        try await mapped {
            _ = try await query("INSERT INTO settings (name, value) VALUES (\(name), \(value)) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value")
        }
    }

    // MARK: Accounts

    private typealias AccountRow = (String, String, String, String, String, String?, Int32, Int64)

    private static func account(_ row: AccountRow) -> Account? {
        guard let userId = UserId(row.0), let kind = AccountKind(rawValue: row.3), let status = AccountStatus(rawValue: row.4) else { return nil }
        return Account(userId: userId, logonId: row.1, name: row.2, kind: kind, status: status, passwordHash: row.5,
                       failedPasswordAttempts: Int(row.6), balance: Amount(fen: row.7))
    }

    public func insertAccount(_ account: Account) async throws -> Bool {
        try await mapped {
            let rows = try await query("""
                INSERT INTO accounts (user_id, logon_id, name, kind, status, password_hash, failed_password_attempts, balance)
                VALUES (\(account.userId.rawValue), \(account.logonId), \(account.name), \(account.kind.rawValue), \(account.status.rawValue),
                        \(account.passwordHash), \(Int32(account.failedPasswordAttempts)), 0)
                ON CONFLICT (user_id) DO NOTHING RETURNING 1
                """)
            for try await _ in rows { return true }
            return false
        }
    }

    public func account(userId: UserId) async throws -> Account? {
        try await mapped {
            let rows = try await query("""
                SELECT user_id, logon_id, name, kind, status, password_hash, failed_password_attempts, balance FROM accounts WHERE user_id = \(userId.rawValue)
                """)
            for try await row in rows.decode(AccountRow.self) { return Self.account(row) }
            return nil
        }
    }

    public func account(logonId: String) async throws -> Account? {
        try await mapped {
            let rows = try await query("""
                SELECT user_id, logon_id, name, kind, status, password_hash, failed_password_attempts, balance FROM accounts WHERE logon_id = \(logonId)
                """)
            for try await row in rows.decode(AccountRow.self) { return Self.account(row) }
            return nil
        }
    }

    public func updateAccountSecurity(userId: UserId, status: AccountStatus, failedPasswordAttempts: Int) async throws {
        try await mapped {
            let rows = try await query("""
                UPDATE accounts SET status = \(status.rawValue), failed_password_attempts = \(Int32(failedPasswordAttempts))
                WHERE user_id = \(userId.rawValue) RETURNING 1
                """)
            for try await _ in rows { return }
            throw StoreError.notFound("account \(userId)")
        }
    }

    // MARK: Merchants and apps

    public func upsertMerchant(_ merchant: Merchant) async throws {
        try await mapped {
            _ = try await query("""
                INSERT INTO merchants (partner, md5_key, rsa_public_key, dsa_public_key, services)
                VALUES (\(merchant.partner.rawValue), \(merchant.md5Key), \(merchant.rsaPublicKey), \(merchant.dsaPublicKey), \(merchant.services.joined(separator: ",")))
                ON CONFLICT (partner) DO UPDATE SET md5_key = EXCLUDED.md5_key, rsa_public_key = EXCLUDED.rsa_public_key,
                  dsa_public_key = EXCLUDED.dsa_public_key, services = EXCLUDED.services
                """)
        }
    }

    public func merchant(partner: UserId) async throws -> Merchant? {
        try await mapped {
            let rows = try await query("SELECT md5_key, rsa_public_key, dsa_public_key, services FROM merchants WHERE partner = \(partner.rawValue)")
            for try await (md5, rsa, dsa, services) in rows.decode((String?, String?, String?, String).self) {
                return Merchant(partner: partner, md5Key: md5, rsaPublicKey: rsa, dsaPublicKey: dsa, services: services.split(separator: ",").map(String.init))
            }
            return nil
        }
    }

    public func upsertApp(_ app: App) async throws {
        try await mapped {
            _ = try await query("""
                INSERT INTO apps (app_id, partner, public_key, sign_type) VALUES (\(app.appId), \(app.partner.rawValue), \(app.publicKey), \(app.signType.rawValue))
                ON CONFLICT (app_id) DO UPDATE SET partner = EXCLUDED.partner, public_key = EXCLUDED.public_key, sign_type = EXCLUDED.sign_type
                """)
        }
    }

    public func app(appId: String) async throws -> App? {
        try await mapped {
            let rows = try await query("SELECT partner, public_key, sign_type FROM apps WHERE app_id = \(appId)")
            for try await (partner, key, signType) in rows.decode((String, String, String).self) {
                guard let partner = UserId(partner), let signType = SignType(rawValue: signType) else { return nil }
                return App(appId: appId, partner: partner, publicKey: key, signType: signType)
            }
            return nil
        }
    }

    // MARK: Trades

    public func insertTrade(_ trade: Trade) async throws -> Bool {
        try await mapped {
            let rows = try await query("""
                INSERT INTO trades (trade_no, partner, buyer, out_trade_no, amount, status, created_at)
                VALUES (\(trade.tradeNo), \(trade.partner.rawValue), \(trade.buyer?.rawValue), \(trade.outTradeNo), \(trade.amount.fen),
                        \(trade.status.rawValue), \(Self.milliseconds(trade.createdAt)))
                ON CONFLICT (trade_no) DO NOTHING RETURNING 1
                """)
            for try await _ in rows { return true }
            return false
        }
    }

    public func trade(tradeNo: String) async throws -> Trade? {
        try await mapped {
            let rows = try await query("SELECT partner, buyer, out_trade_no, amount, status, created_at FROM trades WHERE trade_no = \(tradeNo)")
            for try await (partner, buyer, outTradeNo, amount, status, createdAt) in rows.decode((String, String?, String, Int64, String, Int64).self) {
                guard let partner = UserId(partner), let status = TradeStatus(rawValue: status) else { return nil }
                return Trade(tradeNo: tradeNo, partner: partner, buyer: buyer.flatMap(UserId.init), outTradeNo: outTradeNo,
                             amount: Amount(fen: amount), status: status, createdAt: Self.date(createdAt))
            }
            return nil
        }
    }

    // MARK: Ledger

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000) }

    private typealias TransferRow = (String, String, String, Int64, String, String, Int64)

    private static func transfer(_ row: TransferRow) -> Transfer? {
        guard let debit = UserId(row.1), let credit = UserId(row.2) else { return nil }
        return Transfer(id: row.0, debit: debit, credit: credit, amount: Amount(fen: row.3), code: row.4, reference: row.5, createdAt: date(row.6))
    }

    public func post(_ transfers: [Transfer]) async throws -> [TransferResult] {
        try await transaction { connection in
            var results: [TransferResult] = []
            for transfer in transfers {
                var existing: Transfer?
                let found = try await connection.query("""
                    SELECT id, debit_account, credit_account, amount, code, reference, created_at FROM transfers WHERE id = \(transfer.id)
                    """, logger: logger)
                for try await row in found.decode(TransferRow.self) { existing = Self.transfer(row) }
                var states: [String: LedgerAccountState] = [:]
                let locked = try await connection.query("""
                    SELECT user_id, kind, balance FROM accounts WHERE user_id IN (\(transfer.debit.rawValue), \(transfer.credit.rawValue))
                    ORDER BY user_id FOR UPDATE
                    """, logger: logger)
                for try await (userId, kind, balance) in locked.decode((String, String, Int64).self) {
                    states[userId] = AccountKind(rawValue: kind).map { LedgerAccountState(kind: $0, balance: Amount(fen: balance)) }
                }
                if let refusal = LedgerPosting.decide(transfer, existing: existing, debit: states[transfer.debit.rawValue],
                                                      credit: states[transfer.credit.rawValue]) {
                    results.append(refusal)
                    continue
                }
                try await connection.query("""
                    UPDATE accounts SET balance = balance - \(transfer.amount.fen) WHERE user_id = \(transfer.debit.rawValue)
                    """, logger: logger)
                try await connection.query("""
                    UPDATE accounts SET balance = balance + \(transfer.amount.fen) WHERE user_id = \(transfer.credit.rawValue)
                    """, logger: logger)
                try await connection.query("""
                    INSERT INTO transfers (id, debit_account, credit_account, amount, code, reference, created_at)
                    VALUES (\(transfer.id), \(transfer.debit.rawValue), \(transfer.credit.rawValue), \(transfer.amount.fen),
                            \(transfer.code), \(transfer.reference), \(Self.milliseconds(transfer.createdAt)))
                    """, logger: logger)
                results.append(.created)
            }
            return results
        }
    }

    public func transfer(id: String) async throws -> Transfer? {
        try await mapped {
            let rows = try await query("SELECT id, debit_account, credit_account, amount, code, reference, created_at FROM transfers WHERE id = \(id)")
            for try await row in rows.decode(TransferRow.self) { return Self.transfer(row) }
            return nil
        }
    }

    public func transfers(reference: String) async throws -> [Transfer] {
        try await mapped {
            let rows = try await query("""
                SELECT id, debit_account, credit_account, amount, code, reference, created_at FROM transfers WHERE reference = \(reference) ORDER BY seq
                """)
            var result: [Transfer] = []
            for try await row in rows.decode(TransferRow.self) { if let transfer = Self.transfer(row) { result.append(transfer) } }
            return result
        }
    }

    public func audit() async throws -> LedgerAudit {
        try await mapped {
            let rows = try await query("""
                SELECT
                  (SELECT COUNT(*) FROM accounts),
                  (SELECT COUNT(*) FROM transfers),
                  (SELECT COALESCE(SUM(balance), 0)::BIGINT FROM accounts),
                  (SELECT COUNT(*) FROM accounts WHERE kind <> 'clearing' AND balance < 0),
                  (SELECT COUNT(*) FROM accounts a WHERE a.balance <>
                     COALESCE((SELECT SUM(amount) FROM transfers WHERE credit_account = a.user_id), 0)
                   - COALESCE((SELECT SUM(amount) FROM transfers WHERE debit_account = a.user_id), 0))
                """)
            for try await (accounts, transfers, sum, negative, mismatched) in rows.decode((Int64, Int64, Int64, Int64, Int64).self) {
                return LedgerAudit(accounts: Int(accounts), transfers: Int(transfers), balanceSum: sum,
                                   negativeUserAccounts: Int(negative), mismatchedAccounts: Int(mismatched))
            }
            throw StoreError.database("audit returned no row")
        }
    }
}
