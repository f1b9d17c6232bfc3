import Foundation
import ZhifuCore
import ZhifuProtocol

/// A row of `refund_applications`.
struct RefundApplicationRecord: SQLRecord {
    static let columns = "trade_no, out_request_no, amount, reason, status, attempts, next_attempt_at, failure, created_at"

    var application: RefundApplication

    init(row: SQLRow) throws {
        application = RefundApplication(tradeNo: try row["trade_no"], outRequestNo: try row["out_request_no"], amount: try row["amount"],
                                        reason: try row["reason"], status: try row["status"], attempts: try row["attempts"],
                                        nextAttemptAt: try row["next_attempt_at"], failure: try row["failure"], createdAt: try row["created_at"])
    }
}

extension RefundApplication.Status: SQLColumnValue {}

extension SQLStore: RefundApplicationRepository {
    public func insertRefundApplication(_ a: RefundApplication) async throws -> Bool {
        try await database.write { db in
            try await db.execute("""
                INSERT INTO refund_applications (\(unescaped: RefundApplicationRecord.columns))
                VALUES (\(a.tradeNo), \(a.outRequestNo), \(a.amount), \(a.reason), \(a.status), \(a.attempts), \(a.nextAttemptAt), \(a.failure), \(a.createdAt))
                ON CONFLICT DO NOTHING
                """) == 1
        }
    }

    public func refundApplication(tradeNo: String, outRequestNo: String) async throws -> RefundApplication? {
        try await database.read { db in
            try await db.fetchOne(RefundApplicationRecord.self, """
                SELECT \(unescaped: RefundApplicationRecord.columns) FROM refund_applications
                WHERE trade_no = \(tradeNo) AND out_request_no = \(outRequestNo)
                """)?.application
        }
    }

    public func dueRefundApplications(now: Date, limit: Int) async throws -> [RefundApplication] {
        try await database.read { db in
            try await db.fetchAll(RefundApplicationRecord.self, """
                SELECT \(unescaped: RefundApplicationRecord.columns) FROM refund_applications
                WHERE status = 'REFUND_PROCESSING' AND next_attempt_at <= \(now) ORDER BY next_attempt_at LIMIT \(limit)
                """).map(\.application)
        }
    }

    public func recordRefundApplication(_ a: RefundApplication, attemptsBefore: Int) async throws -> Bool {
        try await database.write { db in
            try await db.execute("""
                UPDATE refund_applications SET status = \(a.status), attempts = \(a.attempts), next_attempt_at = \(a.nextAttemptAt), failure = \(a.failure)
                WHERE trade_no = \(a.tradeNo) AND out_request_no = \(a.outRequestNo) AND attempts = \(attemptsBefore)
                """) == 1
        }
    }
}
