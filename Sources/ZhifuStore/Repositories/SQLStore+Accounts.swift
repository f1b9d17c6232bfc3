import Foundation
import ZhifuCore
import ZhifuProtocol

/// A row of `accounts`.
struct AccountRecord: SQLRecord {
    /// The columns of `table` (a name or an alias). The balance is the row's plus the credits not
    /// yet folded into it (migration v20), read in the same statement, so from one snapshot.
    static func columns(of table: String = "accounts") -> String {
        let names = ["user_id", "logon_id", "name", "kind", "status", "password_hash", "failed_password_attempts", "locked_until", "session_epoch", "frozen"]
        return names.map { "\(table).\($0)" }.joined(separator: ", ") + ", " + balance(of: table) + " AS balance"
    }

    static func balance(of table: String) -> String {
        "CAST(\(table).balance + COALESCE((SELECT SUM(c.amount) FROM account_credits c WHERE c.user_id = \(table).user_id), 0) AS BIGINT)"
    }

    var userId: UserId
    var logonId: String
    var name: String
    var kind: AccountKind
    var status: AccountStatus
    var passwordHash: String?
    var failedPasswordAttempts: Int
    var lockedUntil: Date?
    var sessionEpoch: Int64
    var balance: Amount
    var frozen: Amount

    init(row: SQLRow) throws {
        userId = try row["user_id"]
        logonId = try row["logon_id"]
        name = try row["name"]
        kind = try row["kind"]
        status = try row["status"]
        passwordHash = try row["password_hash"]
        failedPasswordAttempts = try row["failed_password_attempts"]
        lockedUntil = try row["locked_until"]
        sessionEpoch = try row["session_epoch"]
        balance = try row["balance"]
        frozen = try row["frozen"]
    }

    var account: Account {
        Account(userId: userId, logonId: logonId, name: name, kind: kind, status: status, passwordHash: passwordHash,
                failedPasswordAttempts: failedPasswordAttempts, lockedUntil: lockedUntil, sessionEpoch: sessionEpoch, balance: balance, frozen: frozen)
    }
}

/// The security columns a password attempt changes, as the statement that changed them returns them.
struct PasswordAttemptRecord: SQLRecord {
    var failedPasswordAttempts: Int
    var status: AccountStatus
    var lockedUntil: Date?

    init(row: SQLRow) throws {
        failedPasswordAttempts = try row["failed_password_attempts"]
        status = try row["status"]
        lockedUntil = try row["locked_until"]
    }

    func isBlocked(at now: Date) -> Bool { status == .blocked && (lockedUntil.map { $0 > now } ?? true) }
}

extension SQLStore: AccountRepository {
    public func insertAccount(_ account: Account) async throws -> Bool {
        do {
            return try await database.write { db in
                try await db.execute("""
                    INSERT INTO accounts (user_id, logon_id, name, kind, status, password_hash, failed_password_attempts, locked_until, session_epoch)
                    VALUES (\(account.userId), \(account.logonId), \(account.name), \(account.kind), \(account.status), \(account.passwordHash),
                            \(account.failedPasswordAttempts), \(account.lockedUntil), \(account.sessionEpoch))
                    ON CONFLICT (user_id) DO NOTHING
                    """) == 1
            }
        } catch StoreError.duplicate(let key) {
            // The same account inserted twice at once (two nodes seeding one database): PostgreSQL
            // applies ON CONFLICT (user_id) only to that key, so the later insert can fail on
            // logon_id instead. Once the user id is there, it is the answer a lone insert gives.
            guard try await self.account(userId: account.userId) != nil else { throw StoreError.duplicate(key) }
            return false
        }
    }

    public func account(userId: UserId) async throws -> Account? {
        try await database.read { db in
            try await db.fetchOne(AccountRecord.self, "SELECT \(unescaped: AccountRecord.columns()) FROM accounts WHERE user_id = \(userId)")?.account
        }
    }

    public func searchAccounts(prefix: String, limit: Int) async throws -> [Account] {
        let pattern = prefix.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
        return try await database.read { db in
            try await db.fetchAll(AccountRecord.self, """
                SELECT \(unescaped: AccountRecord.columns()) FROM accounts
                WHERE logon_id LIKE \(pattern) ESCAPE '\\' OR user_id LIKE \(pattern) ESCAPE '\\' ORDER BY user_id LIMIT \(limit)
                """).map(\.account)
        }
    }

    public func account(logonId: String) async throws -> Account? {
        try await database.read { db in
            try await db.fetchOne(AccountRecord.self, "SELECT \(unescaped: AccountRecord.columns()) FROM accounts WHERE logon_id = \(logonId)")?.account
        }
    }

    public func recordWrongPassword(userId: UserId, blockAt: Int, now: Date, lockUntil: Date) async throws -> (failedAttempts: Int, blocked: Bool) {
        try await database.write { db in
            // Every SET sees the row as it was: `ended` is a password lock that is over by now.
            let ended: SQL = "status = 'blocked' AND locked_until IS NOT NULL AND locked_until <= \(now)"
            let count: SQL = "CASE WHEN \(ended) THEN 1 ELSE failed_password_attempts + 1 END"
            guard let record = try await db.fetchOne(PasswordAttemptRecord.self, """
                UPDATE accounts SET failed_password_attempts = \(count),
                  locked_until = CASE WHEN (\(ended) OR status = 'normal') AND \(count) >= \(blockAt) THEN \(lockUntil)
                                      WHEN \(ended) THEN NULL ELSE locked_until END,
                  status = CASE WHEN \(count) >= \(blockAt) THEN 'blocked' WHEN \(ended) THEN 'normal' ELSE status END
                WHERE user_id = \(userId) RETURNING failed_password_attempts, status, locked_until
                """) else { throw StoreError.notFound("account \(userId)") }
            return (record.failedPasswordAttempts, record.isBlocked(at: now))
        }
    }

    public func recordRightPassword(userId: UserId, now: Date) async throws -> Bool {
        try await database.write { db in
            try await db.execute("""
                UPDATE accounts SET failed_password_attempts = 0, status = 'normal', locked_until = NULL
                WHERE user_id = \(userId) AND (failed_password_attempts > 0 OR locked_until IS NOT NULL)
                  AND (status = 'normal' OR (locked_until IS NOT NULL AND locked_until <= \(now)))
                """)
            guard let record = try await db.fetchOne(PasswordAttemptRecord.self, """
                SELECT failed_password_attempts, status, locked_until FROM accounts WHERE user_id = \(userId)
                """) else { throw StoreError.notFound("account \(userId)") }
            return record.isBlocked(at: now)
        }
    }

    public func endSessions(userId: UserId) async throws {
        try await database.write { db in
            if try await db.execute("UPDATE accounts SET session_epoch = session_epoch + 1 WHERE user_id = \(userId)") == 0 {
                throw StoreError.notFound("account \(userId)")
            }
        }
    }

    public func setAccountStatus(userId: UserId, _ status: AccountStatus) async throws {
        try await database.write { db in
            let changed = try await db.execute("""
                UPDATE accounts SET status = \(status), locked_until = NULL,
                  failed_password_attempts = CASE WHEN \(status) = 'normal' THEN 0 ELSE failed_password_attempts END
                WHERE user_id = \(userId)
                """)
            if changed == 0 { throw StoreError.notFound("account \(userId)") }
        }
    }
}
