import Foundation
import ZhifuCore
import ZhifuProtocol

/// A row of `notifications`; `parameters` is the signed form as a JSON array of pairs.
struct NotificationRecord: SQLRecord {
    static let columns = """
        notify_id, partner, notify_url, notify_type, protocol, sign_type, charset, parameters, status, attempts, next_attempt_at, created_at
        """

    var notifyId: String
    var partner: UserId
    var notifyUrl: String
    var notifyType: String
    var `protocol`: OutboxNotification.WireProtocol
    var signType: String
    var charset: String
    var parameters: String
    var status: OutboxNotification.Status
    var attempts: Int
    var nextAttemptAt: Date
    var createdAt: Date

    init(row: SQLRow) throws {
        notifyId = try row["notify_id"]
        partner = try row["partner"]
        notifyUrl = try row["notify_url"]
        notifyType = try row["notify_type"]
        `protocol` = try row["protocol"]
        signType = try row["sign_type"]
        charset = try row["charset"]
        parameters = try row["parameters"]
        status = try row["status"]
        attempts = try row["attempts"]
        nextAttemptAt = try row["next_attempt_at"]
        createdAt = try row["created_at"]
    }

    func notification() throws -> OutboxNotification {
        guard let signType = SignType(rawValue: signType), let charset = Charset(name: charset), let parameters = Parameters(jsonText: parameters) else {
            throw StoreError.corrupt("notification \(notifyId)")
        }
        return OutboxNotification(notifyId: notifyId, partner: partner, notifyURL: notifyUrl, notifyType: notifyType, protocol: `protocol`,
                                  signType: signType, charset: charset, parameters: parameters, status: status, attempts: attempts,
                                  nextAttemptAt: nextAttemptAt, createdAt: createdAt)
    }
}

struct NotificationAttemptRecord: SQLRecord {
    var notifyId: String
    var attemptedAt: Date
    var httpStatus: Int?
    var bodyPrefix: String
    var latencyMs: Int
    var error: String?
    var acknowledged: Bool

    init(row: SQLRow) throws {
        notifyId = try row["notify_id"]
        attemptedAt = try row["attempted_at"]
        httpStatus = try row["http_status"]
        bodyPrefix = try row["body_prefix"]
        latencyMs = try row["latency_ms"]
        error = try row["error"]
        acknowledged = try row["acknowledged"]
    }
}

extension SQLStore: OutboxRepository {
    /// Queues one notification inside the caller's transaction.
    static func insert(_ n: OutboxNotification, on db: any SQLConnection) async throws {
        try await db.execute(insertStatement(n))
    }

    static func insertStatement(_ n: OutboxNotification) -> SQL {
        """
            INSERT INTO notifications (\(unescaped: NotificationRecord.columns), reference)
            VALUES (\(n.notifyId), \(n.partner), \(n.notifyURL), \(n.notifyType), \(n.protocol), \(n.signType), \(n.charset),
                    \(n.parameters.jsonText), \(n.status), \(n.attempts), \(n.nextAttemptAt), \(n.createdAt),
                    \(n.parameters["trade_no"] ?? n.parameters["batch_no"] ?? n.parameters["auth_no"] ?? n.parameters["file_name"]))
            """
    }

    public func insertNotifications(_ notifications: [OutboxNotification]) async throws {
        try await database.write { db in for notification in notifications { try await Self.insert(notification, on: db) } }
    }

    public func notification(notifyId: String) async throws -> OutboxNotification? {
        try await database.read { db in
            try await db.fetchOne(NotificationRecord.self, "SELECT \(unescaped: NotificationRecord.columns) FROM notifications WHERE notify_id = \(notifyId)")?
                .notification()
        }
    }

    public func claimDueNotifications(now: Date, limit: Int, leaseSeconds: Int64) async throws -> [OutboxNotification] {
        let lease = now.addingTimeInterval(TimeInterval(leaseSeconds))
        // One statement, its own transaction (no BEGIN and COMMIT round trips on PostgreSQL). The
        // claimed rows come back with `next_attempt_at` as it was due (now), not the lease.
        return try await database.writeStatement("""
            UPDATE notifications SET next_attempt_at = \(lease)
            WHERE notify_id IN (SELECT notify_id FROM notifications WHERE status = 'PENDING' AND next_attempt_at <= \(now)
                                ORDER BY next_attempt_at LIMIT \(limit)\(unescaped: database.dialect.lockRowsSkippingLocked))
            RETURNING notify_id, partner, notify_url, notify_type, protocol, sign_type, charset, parameters, status, attempts,
                      CAST(\(now) AS BIGINT) AS next_attempt_at, created_at
            """).map { try NotificationRecord(row: $0).notification() }
    }

    public func recordNotificationAttempts(_ outcomes: [NotificationOutcome]) async throws {
        let statements = Self.attemptStatements(outcomes, writesInWith: database.dialect.writesInWith)
        if statements.count == 1, let statement = statements.first {
            _ = try await database.writeStatement(statement)
        } else if !statements.isEmpty {
            try await database.write { db in for statement in statements { try await db.execute(statement) } }
        }
    }

    /// Rows per statement: well inside SQLite's 32,766 and PostgreSQL's 65,535 bound values.
    static var attemptsPerStatement: Int { 500 }

    /// The tries' history and the notifications' new state: per run of outcomes, two statements,
    /// or one where writes go in `WITH`; not two per try (a round of 64 was 128 statements, each a
    /// round trip on PostgreSQL). A run ends where a notification comes again, so that its later try
    /// meets the state the earlier one left, as it would one at a time. A try counts only if it was
    /// made at the tries the row still has (a late try is history, nothing more), unless it was
    /// acknowledged: the merchant has it.
    static func attemptStatements(_ outcomes: [NotificationOutcome], writesInWith: Bool) -> [SQL] {
        var runs: [[NotificationOutcome]] = []
        var inRun: Set<String> = []
        for outcome in outcomes {
            if runs.isEmpty || runs[runs.count - 1].count == attemptsPerStatement || inRun.contains(outcome.attempt.notifyId) {
                runs.append([])
                inRun = []
            }
            runs[runs.count - 1].append(outcome)
            inRun.insert(outcome.attempt.notifyId)
        }
        return runs.flatMap { run -> [SQL] in
            var history: SQL = "INSERT INTO notification_attempts (notify_id, attempted_at, http_status, body_prefix, latency_ms, error, acknowledged) VALUES "
            var outcomes: SQL = "outcome (notify_id, status, next_attempt_at, tries_before, acknowledged) AS (VALUES "
            for (index, outcome) in run.enumerated() {
                let attempt = outcome.attempt, separator = index == 0 ? "" : ", "
                let status: OutboxNotification.Status = attempt.acknowledged ? .acknowledged : (outcome.nextAttemptAt == nil ? .exhausted : .pending)
                history.append("""
                    \(unescaped: separator)(\(attempt.notifyId), \(attempt.attemptedAt), \(attempt.httpStatus), \(attempt.bodyPrefix),
                    \(attempt.latencyMilliseconds), \(attempt.error), \(attempt.acknowledged))
                    """)
                outcomes.append("""
                    \(unescaped: separator)(\(attempt.notifyId), \(status), CAST(\(outcome.nextAttemptAt) AS BIGINT), CAST(\(outcome.triesBefore) AS BIGINT),
                    \(attempt.acknowledged))
                    """)
            }
            var state: SQL = writesInWith ? "WITH history AS (\(history)), " : "WITH "
            state.append("""
                \(outcomes))
                UPDATE notifications SET attempts = notifications.attempts + 1, status = outcome.status,
                                         next_attempt_at = COALESCE(outcome.next_attempt_at, notifications.next_attempt_at)
                FROM outcome
                WHERE notifications.notify_id = outcome.notify_id AND notifications.status = 'PENDING'
                  AND (notifications.attempts = outcome.tries_before OR outcome.acknowledged)
                """)
            return writesInWith ? [state] : [history, state]
        }
    }

    public func notifications(reference: String) async throws -> [OutboxNotification] {
        try await database.read { db in
            try await db.fetchAll(NotificationRecord.self, """
                SELECT \(unescaped: NotificationRecord.columns) FROM notifications WHERE reference = \(reference) ORDER BY created_at, notify_id
                """).map { try $0.notification() }
        }
    }

    public func recentNotifications(_ filter: NotificationFilter, limit: Int) async throws -> [OutboxNotification] {
        var query: SQL = "SELECT \(unescaped: NotificationRecord.columns) FROM notifications WHERE 1 = 1"
        if let status = filter.status { query.append(" AND status = \(status)") }
        if let notifyType = filter.notifyType { query.append(" AND notify_type = \(notifyType)") }
        // substr, not LIKE: LIKE ignores case on SQLite and not on PostgreSQL, and treats % and _ as patterns.
        if let prefix = filter.urlPrefix { query.append(" AND substr(notify_url, 1, CAST(\(prefix.unicodeScalars.count) AS INTEGER)) = \(prefix)") }
        query.append(" ORDER BY created_at DESC LIMIT \(limit)")
        let statement = query
        return try await database.read { db in try await db.fetchAll(NotificationRecord.self, statement).map { try $0.notification() } }
    }

    public func nextNotificationDue() async throws -> Date? {
        try await database.read { db in
            try await db.fetchValue(Date?.self, "SELECT MIN(next_attempt_at) FROM notifications WHERE status = 'PENDING'") ?? nil
        }
    }

    public func resendNotification(notifyId: String, now: Date) async throws -> Bool {
        try await database.write { db in
            try await db.execute("""
                UPDATE notifications SET status = 'PENDING', next_attempt_at = \(now) WHERE notify_id = \(notifyId)
                """) == 1
        }
    }

    public func notificationAttempts(notifyId: String) async throws -> [NotificationAttempt] {
        try await database.read { db in
            try await db.fetchAll(NotificationAttemptRecord.self, """
                SELECT notify_id, attempted_at, http_status, body_prefix, latency_ms, error, acknowledged FROM notification_attempts
                WHERE notify_id = \(notifyId) ORDER BY seq
                """).map {
                NotificationAttempt(notifyId: $0.notifyId, attemptedAt: $0.attemptedAt, httpStatus: $0.httpStatus, bodyPrefix: $0.bodyPrefix,
                                    latencyMilliseconds: $0.latencyMs, error: $0.error, acknowledged: $0.acknowledged)
            }
        }
    }
}
