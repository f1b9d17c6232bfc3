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

    // MARK: Batches

    private typealias BatchRow = (String, String, String, String, String, String, Int64, String, String?, String, String, String?, String, String, Int64)
    private typealias DetailRow = (String, String, String, Int64, String, String, String?, String?, Int64?)

    private func batch(_ connection: PostgresConnection, id: String?, partner: UserId? = nil, batchNo: String? = nil) async throws -> Batch? {
        let rows = if let id {
            try await connection.query("""
                SELECT id, partner, batch_no, fingerprint, payer, account_name, batch_fee, pay_date, notify_url, sign_type, charset,
                       extend_param, status, token, created_at FROM batches WHERE id = \(id)
                """, logger: logger)
        } else {
            try await connection.query("""
                SELECT id, partner, batch_no, fingerprint, payer, account_name, batch_fee, pay_date, notify_url, sign_type, charset,
                       extend_param, status, token, created_at FROM batches WHERE partner = \(partner?.rawValue ?? "") AND batch_no = \(batchNo ?? "")
                """, logger: logger)
        }
        var found: BatchRow?
        for try await row in rows.decode(BatchRow.self) { found = row }
        guard let row = found, let partner = UserId(row.1), let payer = UserId(row.4), let signType = SignType(rawValue: row.9),
              let charset = Charset(name: row.10), let status = Batch.Status(rawValue: row.12) else { return nil }
        var details: [BatchRecord] = []
        let detailRows = try await connection.query("""
            SELECT serial_no, payee_account, payee_name, amount, remark, status, reason, inner_no, finished_at
            FROM batch_details WHERE batch_id = \(row.0) ORDER BY seq
            """, logger: logger)
        for try await d in detailRows.decode(DetailRow.self) {
            details.append(BatchRecord(detail: BatchTransDetail(serialNo: d.0, payeeAccount: d.1, payeeName: d.2, amount: Amount(fen: d.3), remark: d.4),
                                       status: BatchRecord.Status(rawValue: d.5) ?? .pending, reason: d.6, innerNo: d.7, finishedAt: d.8.map(Self.date)))
        }
        return Batch(id: row.0, partner: partner, batchNo: row.2, fingerprint: row.3, payer: payer, accountName: row.5, batchFee: Amount(fen: row.6),
                     payDate: row.7, notifyURL: row.8, signType: signType, charset: charset, extendParam: row.11, status: status, token: row.13,
                     createdAt: Self.date(row.14), details: details)
    }

    public func insertBatch(_ batch: Batch) async throws -> Batch? {
        try await transaction { connection in
            let inserted = try await connection.query("""
                INSERT INTO batches (id, partner, batch_no, fingerprint, payer, account_name, batch_fee, pay_date, notify_url, sign_type, charset,
                                     extend_param, status, token, created_at)
                VALUES (\(batch.id), \(batch.partner.rawValue), \(batch.batchNo), \(batch.fingerprint), \(batch.payer.rawValue), \(batch.accountName),
                        \(batch.batchFee.fen), \(batch.payDate), \(batch.notifyURL), \(batch.signType.rawValue), \(batch.charset.rawValue),
                        \(batch.extendParam), \(batch.status.rawValue), \(batch.token), \(Self.milliseconds(batch.createdAt)))
                ON CONFLICT (partner, batch_no) DO NOTHING RETURNING 1
                """, logger: logger)
            var created = false
            for try await _ in inserted { created = true }
            guard created else { return try await self.batch(connection, id: nil, partner: batch.partner, batchNo: batch.batchNo) }
            for (seq, record) in batch.details.enumerated() {
                let d = record.detail
                try await connection.query("""
                    INSERT INTO batch_details (batch_id, seq, serial_no, payee_account, payee_name, amount, remark, status)
                    VALUES (\(batch.id), \(Int32(seq)), \(d.serialNo), \(d.payeeAccount), \(d.payeeName), \(d.amount.fen), \(d.remark), 'PENDING')
                    """, logger: logger)
            }
            return nil
        }
    }

    public func batch(partner: UserId, batchNo: String) async throws -> Batch? {
        try await mapped { try await client.withConnection { try await self.batch($0, id: nil, partner: partner, batchNo: batchNo) } }
    }

    public func batch(id: String) async throws -> Batch? {
        try await mapped { try await client.withConnection { try await self.batch($0, id: id) } }
    }

    public func batchIds(status: Batch.Status) async throws -> [String] {
        try await mapped {
            var ids: [String] = []
            for try await id in try await query("SELECT id FROM batches WHERE status = \(status.rawValue) ORDER BY created_at").decode(String.self) {
                ids.append(id)
            }
            return ids
        }
    }

    public func markBatchProcessing(id: String) async throws -> Bool {
        try await mapped {
            for try await _ in try await query("UPDATE batches SET status = 'PROCESSING' WHERE id = \(id) AND status = 'WAIT_CONFIRM' RETURNING 1") {
                return true
            }
            return false
        }
    }

    public func completeBatch(id: String, plans: [BatchRecordPlan], finishedAt: Date, outcome: @escaping @Sendable (TransferResult) -> String?,
                              notification: @escaping @Sendable ([BatchRecordOutcome]) -> OutboxNotification?) async throws -> [BatchRecordOutcome]? {
        try await transaction { connection in
            var status: String?
            for try await value in try await connection.query("SELECT status FROM batches WHERE id = \(id) FOR UPDATE", logger: logger).decode(String.self) {
                status = value
            }
            guard status == Batch.Status.processing.rawValue else { return nil }
            let finished = Self.milliseconds(finishedAt)
            var outcomes: [BatchRecordOutcome] = []
            for (seq, plan) in plans.enumerated() {
                let recorded: BatchRecordOutcome = switch plan {
                case .pay(let transfer):
                    try await outcome(post(connection, transfer)).map { BatchRecordOutcome(status: .failure, reason: $0, innerNo: transfer.id, finishedAt: finishedAt) }
                        ?? BatchRecordOutcome(status: .success, reason: nil, innerNo: transfer.id, finishedAt: finishedAt)
                case .fail(let reason, let innerNo):
                    BatchRecordOutcome(status: .failure, reason: reason, innerNo: innerNo, finishedAt: finishedAt)
                }
                try await connection.query("""
                    UPDATE batch_details SET status = \(recorded.status.rawValue), reason = \(recorded.reason), inner_no = \(recorded.innerNo),
                      finished_at = \(finished) WHERE batch_id = \(id) AND seq = \(Int32(seq))
                    """, logger: logger)
                outcomes.append(recorded)
            }
            try await connection.query("UPDATE batches SET status = 'COMPLETED' WHERE id = \(id)", logger: logger)
            if let row = notification(outcomes) { try await insert(connection, row) }
            return outcomes
        }
    }

    // MARK: Notifications

    private typealias NotificationRow = (String, String, String, String, String, String, String, String, String, Int32, Int64, Int64)

    private static func notification(_ row: NotificationRow) -> OutboxNotification? {
        guard let partner = UserId(row.1), let proto = OutboxNotification.WireProtocol(rawValue: row.4), let signType = SignType(rawValue: row.5),
              let charset = Charset(name: row.6), let parameters = Parameters(jsonText: row.7), let status = OutboxNotification.Status(rawValue: row.8)
        else { return nil }
        return OutboxNotification(notifyId: row.0, partner: partner, notifyURL: row.2, notifyType: row.3, protocol: proto, signType: signType,
                            charset: charset, parameters: parameters, status: status, attempts: Int(row.9), nextAttemptAt: date(row.10), createdAt: date(row.11))
    }

    private func insert(_ connection: PostgresConnection, _ n: OutboxNotification) async throws {
        try await connection.query("""
            INSERT INTO notifications (notify_id, partner, notify_url, notify_type, protocol, sign_type, charset, parameters, status, attempts,
                                       next_attempt_at, created_at)
            VALUES (\(n.notifyId), \(n.partner.rawValue), \(n.notifyURL), \(n.notifyType), \(n.protocol.rawValue), \(n.signType.rawValue),
                    \(n.charset.rawValue), \(n.parameters.jsonText), \(n.status.rawValue), \(Int32(n.attempts)),
                    \(Self.milliseconds(n.nextAttemptAt)), \(Self.milliseconds(n.createdAt)))
            """, logger: logger)
    }

    public func insertNotifications(_ notifications: [OutboxNotification]) async throws {
        try await transaction { connection in for notification in notifications { try await insert(connection, notification) } }
    }

    public func notification(notifyId: String) async throws -> OutboxNotification? {
        try await mapped {
            let rows = try await query("""
                SELECT notify_id, partner, notify_url, notify_type, protocol, sign_type, charset, parameters, status, attempts, next_attempt_at, created_at
                FROM notifications WHERE notify_id = \(notifyId)
                """)
            for try await row in rows.decode(NotificationRow.self) { return Self.notification(row) }
            return nil
        }
    }

    public func claimDueNotifications(now: Date, limit: Int, leaseSeconds: Int64) async throws -> [OutboxNotification] {
        let nowMillis = Self.milliseconds(now)
        let lease = nowMillis + leaseSeconds * 1000
        return try await transaction { connection in
            // SKIP LOCKED: several nodes claim disjoint rows.
            let rows = try await connection.query("""
                UPDATE notifications SET next_attempt_at = \(lease)
                WHERE notify_id IN (SELECT notify_id FROM notifications WHERE status = 'PENDING' AND next_attempt_at <= \(nowMillis)
                                    ORDER BY next_attempt_at LIMIT \(Int32(limit)) FOR UPDATE SKIP LOCKED)
                RETURNING notify_id, partner, notify_url, notify_type, protocol, sign_type, charset, parameters, status, attempts,
                          \(nowMillis)::BIGINT, created_at
                """, logger: logger)
            var claimed: [OutboxNotification] = []
            for try await row in rows.decode(NotificationRow.self) { if let n = Self.notification(row) { claimed.append(n) } }
            return claimed
        }
    }

    public func recordNotificationAttempts(_ outcomes: [(attempt: NotificationAttempt, nextAttemptAt: Date?)]) async throws {
        try await transaction { connection in
            for (attempt, nextAttemptAt) in outcomes {
                try await connection.query("""
                    INSERT INTO notification_attempts (notify_id, attempted_at, http_status, body_prefix, latency_ms, error, acknowledged)
                    VALUES (\(attempt.notifyId), \(Self.milliseconds(attempt.attemptedAt)), \(attempt.httpStatus.map(Int32.init)), \(attempt.bodyPrefix),
                            \(Int32(clamping: attempt.latencyMilliseconds)), \(attempt.error), \(attempt.acknowledged))
                    """, logger: logger)
                let status: OutboxNotification.Status = attempt.acknowledged ? .acknowledged : (nextAttemptAt == nil ? .exhausted : .pending)
                try await connection.query("""
                    UPDATE notifications SET attempts = attempts + 1, status = \(status.rawValue),
                      next_attempt_at = COALESCE(\(nextAttemptAt.map(Self.milliseconds)), next_attempt_at)
                    WHERE notify_id = \(attempt.notifyId) AND status = 'PENDING'
                    """, logger: logger)
            }
        }
    }

    public func notificationAttempts(notifyId: String) async throws -> [NotificationAttempt] {
        try await mapped {
            let rows = try await query("""
                SELECT notify_id, attempted_at, http_status, body_prefix, latency_ms, error, acknowledged FROM notification_attempts
                WHERE notify_id = \(notifyId) ORDER BY seq
                """)
            var attempts: [NotificationAttempt] = []
            for try await r in rows.decode((String, Int64, Int32?, String, Int32, String?, Bool).self) {
                attempts.append(NotificationAttempt(notifyId: r.0, attemptedAt: Self.date(r.1), httpStatus: r.2.map(Int.init), bodyPrefix: r.3,
                                                    latencyMilliseconds: Int(r.4), error: r.5, acknowledged: r.6))
            }
            return attempts
        }
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
        ("v2 batches and notifications", [
            """
            CREATE TABLE batches (
              id TEXT PRIMARY KEY,
              partner TEXT NOT NULL REFERENCES merchants(partner),
              batch_no TEXT NOT NULL,
              fingerprint TEXT NOT NULL,
              payer TEXT NOT NULL REFERENCES accounts(user_id),
              account_name TEXT NOT NULL,
              batch_fee BIGINT NOT NULL CHECK (batch_fee > 0),
              pay_date TEXT NOT NULL,
              notify_url TEXT,
              sign_type TEXT NOT NULL,
              charset TEXT NOT NULL,
              extend_param TEXT,
              status TEXT NOT NULL CHECK (status IN ('WAIT_CONFIRM', 'PROCESSING', 'COMPLETED')),
              token TEXT NOT NULL UNIQUE,
              created_at BIGINT NOT NULL,
              UNIQUE (partner, batch_no)
            )
            """,
            "CREATE INDEX batches_status ON batches(status)",
            """
            CREATE TABLE batch_details (
              batch_id TEXT NOT NULL REFERENCES batches(id),
              seq INTEGER NOT NULL,
              serial_no TEXT NOT NULL,
              payee_account TEXT NOT NULL,
              payee_name TEXT NOT NULL,
              amount BIGINT NOT NULL CHECK (amount > 0),
              remark TEXT NOT NULL,
              status TEXT NOT NULL CHECK (status IN ('PENDING', 'S', 'F')),
              reason TEXT,
              inner_no TEXT,
              finished_at BIGINT,
              PRIMARY KEY (batch_id, seq),
              UNIQUE (batch_id, serial_no)
            )
            """,
            """
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
              next_attempt_at BIGINT NOT NULL,
              created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX notifications_due ON notifications(status, next_attempt_at)",
            """
            CREATE TABLE notification_attempts (
              seq BIGSERIAL PRIMARY KEY,
              notify_id TEXT NOT NULL REFERENCES notifications(notify_id),
              attempted_at BIGINT NOT NULL,
              http_status INTEGER,
              body_prefix TEXT NOT NULL,
              latency_ms INTEGER NOT NULL,
              error TEXT,
              acknowledged BOOLEAN NOT NULL
            )
            """,
            "CREATE INDEX notification_attempts_id ON notification_attempts(notify_id)",
        ]),
        ("v3 trade subject, fingerprint and out_trade_no per partner", [
            "ALTER TABLE trades ADD COLUMN subject TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE trades ADD COLUMN fingerprint TEXT NOT NULL DEFAULT ''",
            "CREATE UNIQUE INDEX trades_out_trade_no ON trades(partner, out_trade_no)",
        ]),
        ("v4 trade versions, expiry, details, refunds, payment codes, app auth tokens", [
            "ALTER TABLE trades ADD COLUMN version INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE trades ADD COLUMN expires_at BIGINT",
            "ALTER TABLE trades ADD COLUMN details TEXT NOT NULL DEFAULT '{}'",
            "CREATE INDEX trades_expiry ON trades(status, expires_at)",
            "CREATE INDEX trades_status_created ON trades(status, created_at)",
            """
            CREATE TABLE trade_refunds (
              trade_no TEXT NOT NULL REFERENCES trades(trade_no),
              out_request_no TEXT NOT NULL,
              amount BIGINT NOT NULL CHECK (amount > 0),
              reason TEXT,
              created_at BIGINT NOT NULL,
              PRIMARY KEY (trade_no, out_request_no)
            )
            """,
            """
            CREATE TABLE payment_codes (
              code TEXT PRIMARY KEY,
              user_id TEXT NOT NULL REFERENCES accounts(user_id),
              expires_at BIGINT NOT NULL,
              used_at BIGINT
            )
            """,
            "CREATE TABLE app_auth_tokens (token TEXT PRIMARY KEY, app_id TEXT NOT NULL, partner TEXT NOT NULL)",
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

    public func recordWrongPassword(userId: UserId, blockAt: Int) async throws -> (failedAttempts: Int, status: AccountStatus) {
        try await mapped {
            let rows = try await query("""
                UPDATE accounts SET failed_password_attempts = failed_password_attempts + 1,
                  status = CASE WHEN failed_password_attempts + 1 >= \(Int32(blockAt)) THEN 'blocked' ELSE status END
                WHERE user_id = \(userId.rawValue) RETURNING failed_password_attempts, status
                """)
            for try await (count, text) in rows.decode((Int32, String).self) {
                guard let status = AccountStatus(rawValue: text) else { throw StoreError.corrupt("account \(userId) status") }
                return (Int(count), status)
            }
            throw StoreError.notFound("account \(userId)")
        }
    }

    public func recordRightPassword(userId: UserId) async throws -> AccountStatus {
        try await mapped {
            _ = try await query("""
                UPDATE accounts SET failed_password_attempts = 0 WHERE user_id = \(userId.rawValue) AND status = 'normal' AND failed_password_attempts > 0
                """)
            for try await text in try await query("SELECT status FROM accounts WHERE user_id = \(userId.rawValue)").decode(String.self) {
                guard let status = AccountStatus(rawValue: text) else { throw StoreError.corrupt("account \(userId) status") }
                return status
            }
            throw StoreError.notFound("account \(userId)")
        }
    }

    public func setAccountStatus(userId: UserId, _ status: AccountStatus) async throws {
        try await mapped {
            let rows = try await query("""
                UPDATE accounts SET status = \(status.rawValue),
                  failed_password_attempts = CASE WHEN \(status.rawValue) = 'normal' THEN 0 ELSE failed_password_attempts END
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
            try await client.withConnection { try await insert($0, trade, version: trade.version) }
        }
    }

    /// Inserts unless the trade number or `(partner, out_trade_no)` is taken; says whether it did.
    private func insert(_ connection: PostgresConnection, _ trade: Trade, version: Int) async throws -> Bool {
        let rows = try await connection.query("""
            INSERT INTO trades (trade_no, partner, buyer, out_trade_no, amount, status, created_at, subject, fingerprint, version, expires_at, details)
            VALUES (\(trade.tradeNo), \(trade.partner.rawValue), \(trade.buyer?.rawValue), \(trade.outTradeNo), \(trade.amount.fen),
                    \(trade.status.rawValue), \(Self.milliseconds(trade.createdAt)), \(trade.subject), \(trade.fingerprint),
                    \(version), \(trade.expiresAt.map(Self.milliseconds)), \(trade.details.json))
            ON CONFLICT DO NOTHING RETURNING 1
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    private static let tradeColumns = "trade_no, partner, buyer, out_trade_no, amount, status, created_at, subject, fingerprint, version, expires_at, details"

    public func trade(tradeNo: String) async throws -> Trade? {
        try await mapped {
            try await trades(query("SELECT \(unescaped: Self.tradeColumns) FROM trades WHERE trade_no = \(tradeNo)"))
        }
    }

    public func trade(partner: UserId, outTradeNo: String) async throws -> Trade? {
        try await mapped {
            try await trades(query("""
                SELECT \(unescaped: Self.tradeColumns) FROM trades
                WHERE partner = \(partner.rawValue) AND out_trade_no = \(outTradeNo) ORDER BY created_at LIMIT 1
                """))
        }
    }

    private func trades(_ rows: PostgresRowSequence) async throws -> Trade? {
        for try await (tradeNo, partner, buyer, outTradeNo, amount, status, createdAt, subject, fingerprint, version, expiresAt, details)
                in rows.decode((String, String, String?, String, Int64, String, Int64, String, String, Int, Int64?, String).self) {
            guard let partner = UserId(partner), let status = TradeStatus(rawValue: status) else { throw StoreError.corrupt("trade \(tradeNo)") }
            return Trade(tradeNo: tradeNo, partner: partner, buyer: buyer.flatMap(UserId.init), outTradeNo: outTradeNo,
                         amount: Amount(fen: amount), status: status, createdAt: Self.date(createdAt), subject: subject, fingerprint: fingerprint,
                         version: version, expiresAt: expiresAt.map(Self.date), details: try TradeDetails(json: details))
        }
        return nil
    }

    public func updateTrade(_ update: TradeUpdate) async throws -> TradeChange {
        do {
            return try await transaction { connection in
                let trade = update.trade
                var changed = false
                if update.isNew {
                    changed = try await insert(connection, trade, version: trade.version + 1)
                } else {
                    for try await _ in try await connection.query("""
                        UPDATE trades SET buyer = \(trade.buyer?.rawValue), status = \(trade.status.rawValue), version = version + 1,
                          expires_at = \(trade.expiresAt.map(Self.milliseconds)), details = \(trade.details.json)
                        WHERE trade_no = \(trade.tradeNo) AND version = \(trade.version) RETURNING 1
                        """, logger: logger) { changed = true }
                }
                guard changed else { return .stale }
                if let (code, time) = update.paymentCode {
                    var used = false
                    let at = Self.milliseconds(time)
                    for try await _ in try await connection.query("""
                        UPDATE payment_codes SET used_at = \(at) WHERE code = \(code) AND used_at IS NULL AND expires_at > \(at) RETURNING 1
                        """, logger: logger) { used = true }
                    // Throwing rolls the whole transaction back, trade change included.
                    if !used { throw Refused(change: .paymentCodeUnusable) }
                }
                for transfer in update.transfers {
                    let result = try await post(connection, transfer)
                    if !result.isPosted { throw Refused(change: .refused(result)) }
                }
                if let refund = update.refund {
                    _ = try await connection.query("""
                        INSERT INTO trade_refunds (trade_no, out_request_no, amount, reason, created_at)
                        VALUES (\(refund.tradeNo), \(refund.outRequestNo), \(refund.amount.fen), \(refund.reason), \(Self.milliseconds(refund.createdAt)))
                        """, logger: logger)
                }
                for notification in update.notifications { try await insert(connection, notification) }
                return .changed
            }
        } catch let refused as Refused {
            return refused.change
        }
    }

    public func expiredTradeNos(now: Date, limit: Int) async throws -> [String] {
        try await strings(await query("""
            SELECT trade_no FROM trades WHERE status = 'WAIT_BUYER_PAY' AND expires_at <= \(Self.milliseconds(now)) ORDER BY expires_at LIMIT \(limit)
            """))
    }

    public func tradeNos(status: TradeStatus, createdBefore before: Date, limit: Int) async throws -> [String] {
        try await strings(await query("""
            SELECT trade_no FROM trades WHERE status = \(status.rawValue) AND created_at <= \(Self.milliseconds(before)) ORDER BY created_at LIMIT \(limit)
            """))
    }

    private func strings(_ rows: @autoclosure () async throws -> PostgresRowSequence) async throws -> [String] {
        try await mapped {
            var values: [String] = []
            for try await value in try await rows().decode(String.self) { values.append(value) }
            return values
        }
    }

    public func refund(tradeNo: String, outRequestNo: String) async throws -> TradeRefund? {
        try await mapped {
            let rows = try await query("""
                SELECT amount, reason, created_at FROM trade_refunds WHERE trade_no = \(tradeNo) AND out_request_no = \(outRequestNo)
                """)
            for try await (amount, reason, createdAt) in rows.decode((Int64, String?, Int64).self) {
                return TradeRefund(tradeNo: tradeNo, outRequestNo: outRequestNo, amount: Amount(fen: amount), reason: reason, createdAt: Self.date(createdAt))
            }
            return nil
        }
    }

    // MARK: Payment codes and app auth tokens

    public func insertPaymentCode(_ code: PaymentCode) async throws {
        try await mapped {
            _ = try await query("""
                INSERT INTO payment_codes (code, user_id, expires_at, used_at)
                VALUES (\(code.code), \(code.buyer.rawValue), \(Self.milliseconds(code.expiresAt)), \(code.usedAt.map(Self.milliseconds)))
                """)
        }
    }

    public func paymentCode(_ code: String) async throws -> PaymentCode? {
        try await mapped {
            let rows = try await query("SELECT user_id, expires_at, used_at FROM payment_codes WHERE code = \(code)")
            for try await (userId, expiresAt, usedAt) in rows.decode((String, Int64, Int64?).self) {
                guard let buyer = UserId(userId) else { return nil }
                return PaymentCode(code: code, buyer: buyer, expiresAt: Self.date(expiresAt), usedAt: usedAt.map(Self.date))
            }
            return nil
        }
    }

    public func upsertAppAuthToken(_ token: AppAuthToken) async throws {
        try await mapped {
            _ = try await query("""
                INSERT INTO app_auth_tokens (token, app_id, partner) VALUES (\(token.token), \(token.appId), \(token.partner.rawValue))
                ON CONFLICT (token) DO UPDATE SET app_id = excluded.app_id, partner = excluded.partner
                """)
        }
    }

    public func appAuthToken(_ token: String) async throws -> AppAuthToken? {
        try await mapped {
            for try await (appId, partner) in try await query("SELECT app_id, partner FROM app_auth_tokens WHERE token = \(token)").decode((String, String).self) {
                guard let partner = UserId(partner) else { return nil }
                return AppAuthToken(token: token, appId: appId, partner: partner)
            }
            return nil
        }
    }

    private struct Refused: Error { var change: TradeChange }

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
            for transfer in transfers { results.append(try await post(connection, transfer)) }
            return results
        }
    }

    /// Posts one transfer inside the caller's transaction, locking both accounts in user-id order.
    private func post(_ connection: PostgresConnection, _ transfer: Transfer) async throws -> TransferResult {
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
            return refusal
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
        return .created
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
