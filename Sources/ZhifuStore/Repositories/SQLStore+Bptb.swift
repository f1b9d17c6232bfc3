import Foundation
import ZhifuCore
import ZhifuProtocol

extension BptbFile.Status: SQLColumnValue {}
extension BptbRow.Status: SQLColumnValue {}

/// A row of `bptb_files`.
struct BptbFileRecord: SQLRecord {
    static let columns = """
        id, partner, file_name, fingerprint, status, uploaded_at, token, payer, email, return_url, notify_url, sign_type, charset, pay_date,
        confirmed_at, due_at
        """

    var file: BptbFile

    init(row: SQLRow) throws {
        let id: String = try row["id"]
        var confirmation: BptbFile.Confirmation?
        if let token: String = try row["token"] {
            let signTypeText: String? = try row["sign_type"]
            guard let payer: UserId = try row["payer"], let email: String = try row["email"], let returnURL: String = try row["return_url"],
                  let signType = signTypeText.flatMap(SignType.init(rawValue:)), let charset: Charset = try row["charset"] else {
                throw StoreError.corrupt("bptb file \(id): incomplete confirmation")
            }
            confirmation = BptbFile.Confirmation(token: token, payer: payer, email: email, returnURL: returnURL, notifyURL: try row["notify_url"],
                                                 signType: signType, charset: charset)
        }
        file = BptbFile(id: id, partner: try row["partner"], fileName: try row["file_name"], fingerprint: try row["fingerprint"],
                        status: try row["status"], uploadedAt: try row["uploaded_at"], confirmation: confirmation, payDate: try row["pay_date"],
                        confirmedAt: try row["confirmed_at"], dueAt: try row["due_at"], rows: [])
    }
}

/// A row of `bptb_rows`.
struct BptbRowRecord: SQLRecord {
    static let columns = """
        seq, serial_no, payee_name, account_no, province, city, bank_name, branch, amount_text, amount, flag, memo, failure, status,
        withdraw_no, finished_at, bounce_reason
        """

    var row: BptbRow

    init(row r: SQLRow) throws {
        var row = BptbRow(serialNo: try r["serial_no"], payeeName: try r["payee_name"], accountNo: try r["account_no"], province: try r["province"],
                          city: try r["city"], bankName: try r["bank_name"], branch: try r["branch"], amountText: try r["amount_text"],
                          flag: try r["flag"], memo: try r["memo"])
        row.amount = try r["amount"]
        row.failure = try r["failure"]
        row.status = try r["status"]
        row.withdrawNo = try r["withdraw_no"]
        row.finishedAt = try r["finished_at"]
        row.bounceReason = try r["bounce_reason"]
        if row.status == .invalid ? row.failure == nil : row.amount == nil { throw StoreError.corrupt("bptb row \(row.serialNo): status \(row.status)") }
        self.row = row
    }
}

/// Rolls a funding back from inside its transaction when a payout is refused after all.
private struct PayoutRefused: Error { var result: TransferResult }

extension SQLStore: BptbRepository {
    static func bptbFiles(where condition: SQL, on db: any SQLConnection) async throws -> [BptbFile] {
        var query: SQL = "SELECT \(unescaped: BptbFileRecord.columns) FROM bptb_files WHERE "
        query.append(condition)
        query.append(" ORDER BY confirmed_at, uploaded_at, id")
        var files: [BptbFile] = []
        for record in try await db.fetchAll(BptbFileRecord.self, query) {
            var file = record.file
            file.rows = try await db.fetchAll(BptbRowRecord.self, """
                SELECT \(unescaped: BptbRowRecord.columns) FROM bptb_rows WHERE file_id = \(file.id) ORDER BY seq
                """).map(\.row)
            files.append(file)
        }
        return files
    }

    public func insertBptbFile(_ file: BptbFile) async throws -> BptbFile? {
        try await database.write { db in
            let inserted = try await db.execute("""
                INSERT INTO bptb_files (id, partner, file_name, fingerprint, status, uploaded_at)
                VALUES (\(file.id), \(file.partner), \(file.fileName), \(file.fingerprint), \(file.status), \(file.uploadedAt))
                ON CONFLICT (partner, file_name) DO NOTHING
                """)
            guard inserted == 1 else { return try await Self.bptbFiles(where: "partner = \(file.partner) AND file_name = \(file.fileName)", on: db).first }
            for (seq, r) in file.rows.enumerated() {
                try await db.execute("""
                    INSERT INTO bptb_rows (file_id, seq, serial_no, payee_name, account_no, province, city, bank_name, branch, amount_text, amount,
                                           flag, memo, failure, status)
                    VALUES (\(file.id), \(seq), \(r.serialNo), \(r.payeeName), \(r.accountNo), \(r.province), \(r.city), \(r.bankName), \(r.branch),
                            \(r.amountText), \(r.amount), \(r.flag), \(r.memo), \(r.failure), \(r.status))
                    """)
            }
            return nil
        }
    }

    public func bptbFile(partner: UserId, fileName: String) async throws -> BptbFile? {
        try await database.read { db in try await Self.bptbFiles(where: "partner = \(partner) AND file_name = \(fileName)", on: db).first }
    }

    public func bptbFile(id: String) async throws -> BptbFile? {
        try await database.read { db in try await Self.bptbFiles(where: "id = \(id)", on: db).first }
    }

    public func bptbFiles(partner: UserId, payDate: String) async throws -> [BptbFile] {
        try await database.read { db in try await Self.bptbFiles(where: "partner = \(partner) AND pay_date = \(payDate)", on: db) }
    }

    public func bptbFilesDue(now: Date) async throws -> [String] {
        try await database.read { db in
            try await db.fetchAll(BatchIdRecord.self, """
                SELECT id FROM bptb_files WHERE status = 'WAIT_FUNDS' OR (status = 'CLEARING' AND due_at <= \(now)) ORDER BY id
                """).map(\.id)
        }
    }

    public func nextBptbDue() async throws -> Date? {
        try await database.read { db in try await db.fetchValue(Date?.self, "SELECT MIN(due_at) FROM bptb_files WHERE status = 'CLEARING'") ?? nil }
    }

    public func recentBptbFileIds(limit: Int) async throws -> [String] {
        try await database.read { db in
            try await db.fetchAll(BatchIdRecord.self, "SELECT id FROM bptb_files ORDER BY uploaded_at DESC, id LIMIT \(limit)").map(\.id)
        }
    }

    public func setBptbConfirmation(id: String, _ c: BptbFile.Confirmation) async throws -> Bool {
        try await database.write { db in
            try await db.execute("""
                UPDATE bptb_files SET token = \(c.token), payer = \(c.payer), email = \(c.email), return_url = \(c.returnURL),
                  notify_url = \(c.notifyURL), sign_type = \(c.signType), charset = \(c.charset)
                WHERE id = \(id) AND status = 'UPLOADED'
                """) == 1
        }
    }

    public func markBptbConfirmed(id: String, token: String, payDate: String, at time: Date) async throws -> Bool {
        try await database.write { db in
            try await db.execute("""
                UPDATE bptb_files SET status = 'WAIT_FUNDS', pay_date = \(payDate), confirmed_at = \(time)
                WHERE id = \(id) AND status = 'UPLOADED' AND token = \(token)
                """) == 1
        }
    }

    public func fundBptbFile(id: String, payer: UserId, payouts: [Int: Transfer], dueAt: Date, shortNotification: OutboxNotification?) async throws -> BptbFunding {
        do {
            return try await database.write { db in
                let status = try await db.fetchValue(BptbFile.Status.self, "SELECT status FROM bptb_files WHERE id = \(id)\(unescaped: db.dialect.lockRows)")
                guard status == .waitingFunds else { return .notWaiting }
                let state = try await Self.lockedStates(payer, SystemAccounts.clearing, on: db)(payer)
                let total = payouts.values.reduce(Int64(0)) { $0 + $1.amount.fen }
                guard let state, state.available.fen >= total else {
                    let first = try await db.execute("UPDATE bptb_files SET short_notified = 1 WHERE id = \(id) AND short_notified = 0") == 1
                    if first, let shortNotification { try await Self.insert(shortNotification, on: db) }
                    return .short
                }
                for (seq, transfer) in payouts.sorted(by: { $0.key < $1.key }) {
                    let result = try await Self.post(transfer, on: db)
                    guard result.isPosted else { throw PayoutRefused(result: result) }
                    try await db.execute("""
                        UPDATE bptb_rows SET status = 'SUBMITTED', withdraw_no = \(transfer.id) WHERE file_id = \(id) AND seq = \(seq) AND status = 'PENDING'
                        """)
                }
                try await db.execute("UPDATE bptb_files SET status = 'CLEARING', due_at = \(dueAt) WHERE id = \(id)")
                return .funded
            }
        } catch let refused as PayoutRefused {
            throw StoreError.constraint("bptb file \(id): payout refused after the balance check (\(refused.result))")
        }
    }

    public func settleBptbFile(id: String, outcomes: [BptbRowOutcome], finishedAt: Date, notification: OutboxNotification?) async throws -> Bool {
        do {
            return try await database.write { db in
                let status = try await db.fetchValue(BptbFile.Status.self, "SELECT status FROM bptb_files WHERE id = \(id)\(unescaped: db.dialect.lockRows)")
                guard status == .clearing else { return false }
                for outcome in outcomes {
                    if let refund = outcome.refund {
                        let result = try await Self.post(refund, on: db)
                        guard result.isPosted else { throw PayoutRefused(result: result) }
                    }
                    try await db.execute("""
                        UPDATE bptb_rows SET status = \(outcome.bounceReason == nil ? BptbRow.Status.paid : .bounced), finished_at = \(finishedAt),
                          bounce_reason = \(outcome.bounceReason)
                        WHERE file_id = \(id) AND seq = \(outcome.seq) AND status = 'SUBMITTED'
                        """)
                }
                try await db.execute("UPDATE bptb_files SET status = 'COMPLETED', due_at = NULL WHERE id = \(id)")
                if let notification { try await Self.insert(notification, on: db) }
                return true
            }
        } catch let refused as PayoutRefused {
            throw StoreError.constraint("bptb file \(id): refund refused (\(refused.result))")
        }
    }
}
