import Foundation
import ZhifuCore
import ZhifuProtocol

/// A `status, count, amount` row of an aggregate.
struct StatusTotalRecord: SQLRecord {
    var total: StatusTotal

    init(row: SQLRow) throws {
        total = StatusTotal(status: try row["status"], count: try row["count"], amountFen: try row["amount"])
    }
}

struct LatencyRecord: SQLRecord {
    var latency: Int
    init(row: SQLRow) throws { latency = try row["latency_ms"] }
}

/// The aggregates the console's overview shows, read-only.
extension SQLStore {
    public func tradeTotals() async throws -> [StatusTotal] {
        try await database.read { db in
            try await db.fetchAll(StatusTotalRecord.self, """
                SELECT status, COUNT(*) AS count, CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS amount FROM trades GROUP BY status ORDER BY status
                """).map(\.total)
        }
    }

    public func notificationTotals() async throws -> [StatusTotal] {
        try await database.read { db in
            try await db.fetchAll(StatusTotalRecord.self, """
                SELECT status, COUNT(*) AS count, CAST(0 AS BIGINT) AS amount FROM notifications GROUP BY status ORDER BY status
                """).map(\.total)
        }
    }

    public func recentAttemptLatencies(limit: Int) async throws -> [Int] {
        try await database.read { db in
            try await db.fetchAll(LatencyRecord.self, "SELECT latency_ms FROM notification_attempts ORDER BY seq DESC LIMIT \(limit)").map(\.latency)
        }
    }

    public func recentTransfers(limit: Int) async throws -> [Transfer] {
        try await database.read { db in
            try await db.fetchAll(TransferRecord.self, "SELECT \(unescaped: TransferRecord.columns) FROM transfers ORDER BY seq DESC LIMIT \(limit)")
                .map(\.transfer)
        }
    }
}
