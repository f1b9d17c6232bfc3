import ZhifuCore
import ZhifuProtocol

/// A row of `accounts`.
struct AccountRecord: SQLRecord {
    static let columns = "user_id, logon_id, name, kind, status, password_hash, failed_password_attempts, balance"

    var userId: UserId
    var logonId: String
    var name: String
    var kind: AccountKind
    var status: AccountStatus
    var passwordHash: String?
    var failedPasswordAttempts: Int
    var balance: Amount

    init(row: SQLRow) throws {
        userId = try row["user_id"]
        logonId = try row["logon_id"]
        name = try row["name"]
        kind = try row["kind"]
        status = try row["status"]
        passwordHash = try row["password_hash"]
        failedPasswordAttempts = try row["failed_password_attempts"]
        balance = try row["balance"]
    }

    var account: Account {
        Account(userId: userId, logonId: logonId, name: name, kind: kind, status: status, passwordHash: passwordHash,
                failedPasswordAttempts: failedPasswordAttempts, balance: balance)
    }
}

/// The security columns a password attempt changes, as the statement that changed them returns them.
struct PasswordAttemptRecord: SQLRecord {
    var failedPasswordAttempts: Int
    var status: AccountStatus

    init(row: SQLRow) throws {
        failedPasswordAttempts = try row["failed_password_attempts"]
        status = try row["status"]
    }
}

extension SQLStore: AccountRepository {
    public func insertAccount(_ account: Account) async throws -> Bool {
        try await database.write { db in
            try await db.execute("""
                INSERT INTO accounts (\(unescaped: AccountRecord.columns))
                VALUES (\(account.userId), \(account.logonId), \(account.name), \(account.kind), \(account.status), \(account.passwordHash),
                        \(account.failedPasswordAttempts), 0)
                ON CONFLICT (user_id) DO NOTHING
                """) == 1
        }
    }

    public func account(userId: UserId) async throws -> Account? {
        try await database.read { db in
            try await db.fetchOne(AccountRecord.self, "SELECT \(unescaped: AccountRecord.columns) FROM accounts WHERE user_id = \(userId)")?.account
        }
    }

    public func account(logonId: String) async throws -> Account? {
        try await database.read { db in
            try await db.fetchOne(AccountRecord.self, "SELECT \(unescaped: AccountRecord.columns) FROM accounts WHERE logon_id = \(logonId)")?.account
        }
    }

    public func recordWrongPassword(userId: UserId, blockAt: Int) async throws -> (failedAttempts: Int, status: AccountStatus) {
        try await database.write { db in
            guard let record = try await db.fetchOne(PasswordAttemptRecord.self, """
                UPDATE accounts SET failed_password_attempts = failed_password_attempts + 1,
                  status = CASE WHEN failed_password_attempts + 1 >= \(blockAt) THEN 'blocked' ELSE status END
                WHERE user_id = \(userId) RETURNING failed_password_attempts, status
                """) else { throw StoreError.notFound("account \(userId)") }
            return (record.failedPasswordAttempts, record.status)
        }
    }

    public func recordRightPassword(userId: UserId) async throws -> AccountStatus {
        try await database.write { db in
            try await db.execute("""
                UPDATE accounts SET failed_password_attempts = 0
                WHERE user_id = \(userId) AND status = 'normal' AND failed_password_attempts > 0
                """)
            guard let status = try await db.fetchValue(AccountStatus.self, "SELECT status FROM accounts WHERE user_id = \(userId)") else {
                throw StoreError.notFound("account \(userId)")
            }
            return status
        }
    }

    public func setAccountStatus(userId: UserId, _ status: AccountStatus) async throws {
        try await database.write { db in
            let changed = try await db.execute("""
                UPDATE accounts SET status = \(status),
                  failed_password_attempts = CASE WHEN \(status) = 'normal' THEN 0 ELSE failed_password_attempts END
                WHERE user_id = \(userId)
                """)
            if changed == 0 { throw StoreError.notFound("account \(userId)") }
        }
    }
}
