import Foundation
import ZhifuCore
import ZhifuProtocol

/// A row of `refund_batches`.
struct RefundBatchRow: SQLRecord {
    static let columns = """
        id, partner, batch_no, fingerprint, seller, refund_date, notify_url, sign_type, charset, status, token, created_at, records
        """

    var id: String
    var partner: UserId
    var batchNo: String
    var fingerprint: String
    var seller: UserId
    var refundDate: String
    var notifyUrl: String?
    var signType: String
    var charset: String
    var status: Batch.Status
    var token: String
    var createdAt: Date
    var records: String

    init(row: SQLRow) throws {
        id = try row["id"]
        partner = try row["partner"]
        batchNo = try row["batch_no"]
        fingerprint = try row["fingerprint"]
        seller = try row["seller"]
        refundDate = try row["refund_date"]
        notifyUrl = try row["notify_url"]
        signType = try row["sign_type"]
        charset = try row["charset"]
        status = try row["status"]
        token = try row["token"]
        createdAt = try row["created_at"]
        records = try row["records"]
    }

    func batch() throws -> RefundBatch {
        guard let signType = SignType(rawValue: signType) else { throw StoreError.corrupt("refund batch \(id) sign_type \(signType)") }
        guard let charset = Charset(name: charset) else { throw StoreError.corrupt("refund batch \(id) charset \(charset)") }
        return RefundBatch(id: id, partner: partner, batchNo: batchNo, fingerprint: fingerprint, seller: seller, refundDate: refundDate,
                           notifyURL: notifyUrl, signType: signType, charset: charset, status: status, token: token, createdAt: createdAt,
                           records: try RefundBatchRecord.records(json: records))
    }
}

extension SQLStore: RefundBatchRepository {
    static func refundBatch(where condition: SQL, on db: any SQLConnection) async throws -> RefundBatch? {
        var query: SQL = "SELECT \(unescaped: RefundBatchRow.columns) FROM refund_batches WHERE "
        query.append(condition)
        return try await db.fetchOne(RefundBatchRow.self, query)?.batch()
    }

    public func insertRefundBatch(_ batch: RefundBatch) async throws -> RefundBatch? {
        try await database.write { db in
            let inserted = try await db.execute("""
                INSERT INTO refund_batches (\(unescaped: RefundBatchRow.columns))
                VALUES (\(batch.id), \(batch.partner), \(batch.batchNo), \(batch.fingerprint), \(batch.seller), \(batch.refundDate),
                        \(batch.notifyURL), \(batch.signType), \(batch.charset), \(batch.status), \(batch.token), \(batch.createdAt),
                        \(RefundBatchRecord.json(batch.records)))
                ON CONFLICT (partner, batch_no) DO NOTHING
                """)
            guard inserted == 1 else { return try await Self.refundBatch(where: "partner = \(batch.partner) AND batch_no = \(batch.batchNo)", on: db) }
            return nil
        }
    }

    public func refundBatch(partner: UserId, batchNo: String) async throws -> RefundBatch? {
        try await database.read { db in try await Self.refundBatch(where: "partner = \(partner) AND batch_no = \(batchNo)", on: db) }
    }

    public func refundBatch(id: String) async throws -> RefundBatch? {
        try await database.read { db in try await Self.refundBatch(where: "id = \(id)", on: db) }
    }

    public func refundBatchIds(status: Batch.Status) async throws -> [String] {
        try await database.read { db in
            try await db.fetchAll(BatchIdRecord.self, "SELECT id FROM refund_batches WHERE status = \(status) ORDER BY created_at").map(\.id)
        }
    }

    public func recentRefundBatchIds(limit: Int) async throws -> [String] {
        try await database.read { db in
            try await db.fetchAll(BatchIdRecord.self, "SELECT id FROM refund_batches ORDER BY created_at DESC, id LIMIT \(limit)").map(\.id)
        }
    }

    public func markRefundBatchProcessing(id: String) async throws -> Bool {
        try await database.write { db in
            try await db.execute("UPDATE refund_batches SET status = 'PROCESSING' WHERE id = \(id) AND status = 'WAIT_CONFIRM'") == 1
        }
    }

    public func completeRefundBatch(id: String, records: [RefundBatchRecord], notification: OutboxNotification?) async throws -> Bool {
        try await database.write { db in
            let completed = try await db.execute("""
                UPDATE refund_batches SET status = 'COMPLETED', records = \(RefundBatchRecord.json(records))
                WHERE id = \(id) AND status = 'PROCESSING'
                """)
            guard completed == 1 else { return false }
            if let notification { try await Self.insert(notification, on: db) }
            return true
        }
    }
}
