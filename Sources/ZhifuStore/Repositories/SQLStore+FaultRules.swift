import Foundation
import ZhifuCore
import ZhifuProtocol

struct FaultRuleRecord: SQLRecord {
    static let columns = "id, kind, target, answer, body, remaining, share_percent, fired, enabled, created_at"

    var rule: FaultRule

    init(row: SQLRow) throws {
        let enabled: Int64 = try row["enabled"]
        rule = FaultRule(id: try row["id"], kind: try row["kind"], target: try row["target"], answer: try row["answer"], body: try row["body"],
                         remaining: try row["remaining"], sharePercent: try row["share_percent"], fired: try row["fired"], enabled: enabled != 0, createdAt: try row["created_at"])
    }
}

extension FaultRule.Kind: SQLColumnValue {}

extension SQLStore: FaultRuleRepository {
    public func insertFaultRule(_ r: FaultRule) async throws {
        try await database.write { db in
            try await db.execute("""
                INSERT INTO fault_rules (\(unescaped: FaultRuleRecord.columns))
                VALUES (\(r.id), \(r.kind), \(r.target), \(r.answer), \(r.body), \(r.remaining), \(r.sharePercent), \(r.fired), \(r.enabled ? Int64(1) : Int64(0)), \(r.createdAt))
                """)
        }
    }

    public func faultRules() async throws -> [FaultRule] {
        try await database.read { db in
            try await db.fetchAll(FaultRuleRecord.self, "SELECT \(unescaped: FaultRuleRecord.columns) FROM fault_rules ORDER BY created_at DESC, id")
                .map(\.rule)
        }
    }

    public func fireFaultRule(id: String) async throws -> Bool {
        try await database.write { db in
            try await db.execute("""
                UPDATE fault_rules SET fired = fired + 1, remaining = CASE WHEN remaining IS NULL THEN NULL ELSE remaining - 1 END
                WHERE id = \(id) AND enabled = 1 AND (remaining IS NULL OR remaining > 0)
                """) == 1
        }
    }

    public func disableFaultRule(id: String) async throws -> Bool {
        try await database.write { db in try await db.execute("UPDATE fault_rules SET enabled = 0 WHERE id = \(id)") == 1 }
    }
}
