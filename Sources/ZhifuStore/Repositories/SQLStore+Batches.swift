import Foundation
import ZhifuCore
import ZhifuProtocol

/// A row of `batches`.
struct BatchRecordRow: SQLRecord {
    static let columns = """
        id, partner, batch_no, fingerprint, payer, account_name, batch_fee, pay_date, notify_url, sign_type, charset, extend_param, status, token, created_at
        """

    var id: String
    var partner: UserId
    var batchNo: String
    var fingerprint: String
    var payer: UserId
    var accountName: String
    var batchFee: Amount
    var payDate: String
    var notifyUrl: String?
    var signType: String
    var charset: String
    var extendParam: String?
    var status: Batch.Status
    var token: String
    var createdAt: Date

    init(row: SQLRow) throws {
        id = try row["id"]
        partner = try row["partner"]
        batchNo = try row["batch_no"]
        fingerprint = try row["fingerprint"]
        payer = try row["payer"]
        accountName = try row["account_name"]
        batchFee = try row["batch_fee"]
        payDate = try row["pay_date"]
        notifyUrl = try row["notify_url"]
        signType = try row["sign_type"]
        charset = try row["charset"]
        extendParam = try row["extend_param"]
        status = try row["status"]
        token = try row["token"]
        createdAt = try row["created_at"]
    }

    func batch(details: [BatchRecord]) throws -> Batch {
        guard let signType = SignType(rawValue: signType) else { throw StoreError.corrupt("batch \(id) sign_type \(signType)") }
        guard let charset = Charset(name: charset) else { throw StoreError.corrupt("batch \(id) charset \(charset)") }
        return Batch(id: id, partner: partner, batchNo: batchNo, fingerprint: fingerprint, payer: payer, accountName: accountName,
                     batchFee: batchFee, payDate: payDate, notifyURL: notifyUrl, signType: signType, charset: charset,
                     extendParam: extendParam, status: status, token: token, createdAt: createdAt, details: details)
    }
}

/// A row of `batch_details`: one record of a batch and its outcome.
struct BatchDetailRow: SQLRecord {
    var serialNo: String
    var payeeAccount: String
    var payeeName: String
    var amount: Amount
    var remark: String
    var status: BatchRecord.Status
    var reason: String?
    var innerNo: String?
    var finishedAt: Date?

    init(row: SQLRow) throws {
        serialNo = try row["serial_no"]
        payeeAccount = try row["payee_account"]
        payeeName = try row["payee_name"]
        amount = try row["amount"]
        remark = try row["remark"]
        status = try row["status"]
        reason = try row["reason"]
        innerNo = try row["inner_no"]
        finishedAt = try row["finished_at"]
    }

    var record: BatchRecord {
        BatchRecord(detail: BatchTransDetail(serialNo: serialNo, payeeAccount: payeeAccount, payeeName: payeeName, amount: amount, remark: remark),
                    status: status, reason: reason, innerNo: innerNo, finishedAt: finishedAt)
    }
}

extension SQLStore: BatchRepository {
    static func batch(where condition: SQL, on db: any SQLConnection) async throws -> Batch? {
        var query: SQL = "SELECT \(unescaped: BatchRecordRow.columns) FROM batches WHERE "
        query.append(condition)
        guard let row = try await db.fetchOne(BatchRecordRow.self, query) else { return nil }
        let details = try await db.fetchAll(BatchDetailRow.self, """
            SELECT serial_no, payee_account, payee_name, amount, remark, status, reason, inner_no, finished_at
            FROM batch_details WHERE batch_id = \(row.id) ORDER BY seq
            """)
        return try row.batch(details: details.map(\.record))
    }

    public func insertBatch(_ batch: Batch) async throws -> Batch? {
        try await database.write { db in
            let inserted = try await db.execute("""
                INSERT INTO batches (\(unescaped: BatchRecordRow.columns))
                VALUES (\(batch.id), \(batch.partner), \(batch.batchNo), \(batch.fingerprint), \(batch.payer), \(batch.accountName), \(batch.batchFee),
                        \(batch.payDate), \(batch.notifyURL), \(batch.signType), \(batch.charset), \(batch.extendParam), \(batch.status),
                        \(batch.token), \(batch.createdAt))
                ON CONFLICT (partner, batch_no) DO NOTHING
                """)
            guard inserted == 1 else { return try await Self.batch(where: "partner = \(batch.partner) AND batch_no = \(batch.batchNo)", on: db) }
            for (seq, record) in batch.details.enumerated() {
                let d = record.detail
                try await db.execute("""
                    INSERT INTO batch_details (batch_id, seq, serial_no, payee_account, payee_name, amount, remark, status)
                    VALUES (\(batch.id), \(seq), \(d.serialNo), \(d.payeeAccount), \(d.payeeName), \(d.amount), \(d.remark), 'PENDING')
                    """)
            }
            return nil
        }
    }

    public func batch(partner: UserId, batchNo: String) async throws -> Batch? {
        try await database.read { db in try await Self.batch(where: "partner = \(partner) AND batch_no = \(batchNo)", on: db) }
    }

    public func batch(id: String) async throws -> Batch? {
        try await database.read { db in try await Self.batch(where: "id = \(id)", on: db) }
    }

    public func batchIds(status: Batch.Status) async throws -> [String] {
        try await database.read { db in
            try await db.fetchAll(BatchIdRecord.self, "SELECT id FROM batches WHERE status = \(status) ORDER BY created_at").map(\.id)
        }
    }

    public func recentBatchIds(limit: Int) async throws -> [String] {
        try await database.read { db in
            try await db.fetchAll(BatchIdRecord.self, "SELECT id FROM batches ORDER BY created_at DESC, id LIMIT \(limit)").map(\.id)
        }
    }

    public func markBatchProcessing(id: String) async throws -> Bool {
        try await database.write { db in
            try await db.execute("UPDATE batches SET status = 'PROCESSING' WHERE id = \(id) AND status = 'WAIT_CONFIRM'") == 1
        }
    }

    public func completeBatch(id: String, plans: [BatchRecordPlan], finishedAt: Date, outcome: @escaping @Sendable (TransferResult) -> String?,
                              notification: @escaping @Sendable ([BatchRecordOutcome]) -> OutboxNotification?) async throws -> [BatchRecordOutcome]? {
        try await database.write { db in
            let status = try await db.fetchValue(Batch.Status.self, "SELECT status FROM batches WHERE id = \(id)\(unescaped: db.dialect.lockRows)")
            guard status == .processing else { return nil }
            var outcomes: [BatchRecordOutcome] = []
            outcomes.reserveCapacity(plans.count)
            for plan in plans {
                let recorded: BatchRecordOutcome = switch plan {
                case .pay(let transfer):
                    try await outcome(Self.post(transfer, on: db)).map { BatchRecordOutcome(status: .failure, reason: $0, innerNo: transfer.id, finishedAt: finishedAt) }
                        ?? BatchRecordOutcome(status: .success, reason: nil, innerNo: transfer.id, finishedAt: finishedAt)
                case .fail(let reason, let innerNo):
                    BatchRecordOutcome(status: .failure, reason: reason, innerNo: innerNo, finishedAt: finishedAt)
                }
                outcomes.append(recorded)
            }
            // The records, paid ones in one statement when their inner numbers are the batch id and
            // the padded position (as planned), which SQL computes the same way on both dialects;
            // the others one by one.
            let bulk = outcomes.enumerated().allSatisfy { $1.status != .success || $1.innerNo == Batch.innerNo(batchId: id, seq: $0) }
            if bulk, outcomes.contains(where: { $0.status == .success }) {
                try await db.execute("""
                    UPDATE batch_details SET status = 'S', reason = NULL, inner_no = \(id) || substr(CAST(10000 + seq AS TEXT), 2), finished_at = \(finishedAt)
                    WHERE batch_id = \(id)
                    """)
            }
            for (seq, recorded) in outcomes.enumerated() where !bulk || recorded.status != .success {
                try await db.execute("""
                    UPDATE batch_details SET status = \(recorded.status), reason = \(recorded.reason), inner_no = \(recorded.innerNo),
                      finished_at = \(finishedAt) WHERE batch_id = \(id) AND seq = \(seq)
                    """)
            }
            try await db.execute("UPDATE batches SET status = 'COMPLETED' WHERE id = \(id)")
            if let row = notification(outcomes) { try await Self.insert(row, on: db) }
            return outcomes
        }
    }
}

struct BatchIdRecord: SQLRecord {
    var id: String

    init(row: SQLRow) throws {
        id = try row["id"]
    }
}
