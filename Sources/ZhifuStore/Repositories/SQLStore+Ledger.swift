import Foundation
import ZhifuCore
import ZhifuProtocol

/// A row of `transfers`.
struct TransferRecord: SQLRecord {
    static let columns = "id, debit_account, credit_account, amount, code, reference, created_at"

    var id: String
    var debitAccount: UserId
    var creditAccount: UserId
    var amount: Amount
    var code: TransferCode
    var reference: String
    var createdAt: Date

    init(row: SQLRow) throws {
        id = try row["id"]
        debitAccount = try row["debit_account"]
        creditAccount = try row["credit_account"]
        amount = try row["amount"]
        code = try row["code"]
        reference = try row["reference"]
        createdAt = try row["created_at"]
    }

    var transfer: Transfer {
        Transfer(id: id, debit: debitAccount, credit: creditAccount, amount: amount, code: code, reference: reference, createdAt: createdAt)
    }
}

struct LedgerStateRecord: SQLRecord {
    var userId: UserId
    var kind: AccountKind
    var balance: Amount
    var frozen: Amount

    init(row: SQLRow) throws {
        userId = try row["user_id"]
        kind = try row["kind"]
        balance = try row["balance"]
        frozen = try row["frozen"]
    }
}

struct AuditRecord: SQLRecord {
    var accounts: Int
    var transfers: Int
    var balanceSum: Int64
    var negativeUserAccounts: Int
    var mismatchedAccounts: Int
    var mismatchedHolds: Int

    init(row: SQLRow) throws {
        accounts = try row["accounts"]
        transfers = try row["transfers"]
        balanceSum = try row["balance_sum"]
        negativeUserAccounts = try row["negative_user_accounts"]
        mismatchedAccounts = try row["mismatched_accounts"]
        mismatchedHolds = try row["mismatched_holds"]
    }
}

extension SQLStore: LedgerRepository {
    public func post(_ transfers: [Transfer]) async throws -> [TransferResult] {
        if let postings, transfers.count == 1 { return [try await postings.post(transfers[0])] }
        return try await database.write { db in
            var results: [TransferResult] = []
            for transfer in transfers { results.append(try await Self.post(transfer, on: db)) }
            return results
        }
    }

    /// Posts one transfer inside the caller's transaction. A refusal changes nothing.
    static func post(_ transfer: Transfer, on db: any SQLConnection) async throws -> TransferResult {
        guard db.dialect.postsOnServer else { return try await postStatementwise(transfer, on: db) }
        return try results(of: try await db.fetchAll(postingStatement([transfer])), posting: [transfer])[0]
    }

    /// One round trip: `zhifu_post_transfer` (migration v19) locks the accounts, looks up the id and
    /// moves the money on the server; the checks that need no database are decided here and passed
    /// in, so that ``LedgerPosting``'s precedence holds. Several transfers go to
    /// `zhifu_post_transfers`, which locks all their accounts in user-id order first.
    static func postingStatement(_ transfers: [Transfer]) -> SQL {
        if transfers.count == 1, let transfer = transfers.first { return SQL("SELECT \(posting(transfer)) AS result").prepared() }
        return "SELECT result FROM unnest(\(postings(transfers))) WITH ORDINALITY AS answers(result, n) ORDER BY n"
    }

    /// The answers to posting `transfers` in order, as a `TEXT[]` expression (none: an empty array).
    static func postings(_ transfers: [Transfer]) -> SQL {
        if transfers.isEmpty { return "CAST('{}' AS TEXT[])" }
        if transfers.count == 1, let transfer = transfers.first { return "ARRAY[\(posting(transfer))]" }
        var sql: SQL = "zhifu_post_transfers("
        let columns: [(type: String, value: (Transfer) -> SQLValue)] = [
            ("text", { $0.id.sqlValue }), ("text", { $0.debit.sqlValue }), ("text", { $0.credit.sqlValue }), ("bigint", { $0.amount.sqlValue }),
            ("text", { $0.code.sqlValue }), ("text", { $0.reference.sqlValue }), ("bigint", { $0.createdAt.sqlValue }),
            ("text", { TransferResult.validate($0)?.rawValue.sqlValue ?? .null }),
        ]
        for (index, column) in columns.enumerated() {
            sql.append(index == 0 ? "ARRAY[" : ", ARRAY[")
            for (position, transfer) in transfers.enumerated() {
                sql.append(position == 0 ? "\(column.value(transfer))" : ", \(column.value(transfer))")
            }
            sql.append("]::\(unescaped: column.type)[]")
        }
        sql.append(")")
        return sql
    }

    private static func posting(_ transfer: Transfer) -> SQL {
        let invalid = TransferResult.validate(transfer)?.rawValue
        return """
            zhifu_post_transfer(\(transfer.id), \(transfer.debit), \(transfer.credit), \(transfer.amount), \(transfer.code),
                                \(transfer.reference), \(transfer.createdAt), \(invalid))
            """
    }

    /// The functions' answers in order; one they should never give is ``StoreError/corrupt(_:)``.
    static func results(of rows: [SQLRow], posting transfers: [Transfer]) throws -> [TransferResult] {
        guard rows.count == transfers.count else {
            throw StoreError.database("\(rows.count) answers for \(transfers.count) postings")
        }
        return try rows.map { try $0["result"] }
    }

    /// Statement by statement (SQLite, where the database is in the process and there are no
    /// round trips to save): reads an earlier transfer with its id and the two accounts, lets
    /// ``LedgerPosting`` decide, then moves the money.
    static func postStatementwise(_ transfer: Transfer, on db: any SQLConnection) async throws -> TransferResult {
        let existing = try await db.fetchOne(TransferRecord.self, "SELECT \(unescaped: TransferRecord.columns) FROM transfers WHERE id = \(transfer.id)")
        let state = try await lockedStates(transfer.debit, transfer.credit, on: db)
        if let refusal = LedgerPosting.decide(transfer, existing: existing?.transfer, debit: state(transfer.debit), credit: state(transfer.credit)) {
            return refusal
        }
        try await db.execute("UPDATE accounts SET balance = balance - \(transfer.amount) WHERE user_id = \(transfer.debit)")
        try await db.execute("UPDATE accounts SET balance = balance + \(transfer.amount) WHERE user_id = \(transfer.credit)")
        try await db.execute("""
            INSERT INTO transfers (\(unescaped: TransferRecord.columns))
            VALUES (\(transfer.id), \(transfer.debit), \(transfer.credit), \(transfer.amount), \(transfer.code), \(transfer.reference), \(transfer.createdAt))
            """)
        return .created
    }

    /// The two accounts' ledger state, locked in user-id order where rows lock, with their credits
    /// folded into the balance there (`zhifu_lock_accounts`, migration v20).
    static func lockedStates(_ first: UserId, _ second: UserId, on db: any SQLConnection) async throws -> (UserId) -> LedgerAccountState? {
        let states = try await db.fetchAll(LedgerStateRecord.self, db.dialect.postsOnServer ? """
            SELECT user_id, kind, balance, frozen FROM zhifu_lock_accounts(ARRAY[\(first), \(second)]::text[])
            """ : """
            SELECT user_id, kind, balance, frozen FROM accounts WHERE user_id IN (\(first), \(second)) ORDER BY user_id
            """)
        return { id in states.first { $0.userId == id }.map { LedgerAccountState(kind: $0.kind, balance: $0.balance, frozen: $0.frozen) } }
    }

    public func transfer(id: String) async throws -> Transfer? {
        try await database.read { db in
            try await db.fetchOne(TransferRecord.self, "SELECT \(unescaped: TransferRecord.columns) FROM transfers WHERE id = \(id)")?.transfer
        }
    }

    public func transfers(reference: String) async throws -> [Transfer] {
        try await database.read { db in
            try await db.fetchAll(TransferRecord.self, """
                SELECT \(unescaped: TransferRecord.columns) FROM transfers WHERE reference = \(reference) ORDER BY seq
                """).map(\.transfer)
        }
    }

    public func audit() async throws -> LedgerAudit {
        try await database.read { db in
            guard let record = try await db.fetchOne(AuditRecord.self, """
                SELECT
                  (SELECT COUNT(*) FROM accounts) AS accounts,
                  (SELECT COUNT(*) FROM transfers) AS transfers,
                  (SELECT CAST(COALESCE(SUM(balance), 0) + (SELECT COALESCE(SUM(amount), 0) FROM account_credits) AS BIGINT)
                   FROM accounts) AS balance_sum,
                  (SELECT COUNT(*) FROM accounts WHERE kind <> 'clearing' AND balance < 0) AS negative_user_accounts,
                  (SELECT COUNT(*) FROM accounts a WHERE \(unescaped: AccountRecord.balance(of: "a")) <>
                     COALESCE((SELECT SUM(amount) FROM transfers WHERE credit_account = a.user_id), 0)
                   - COALESCE((SELECT SUM(amount) FROM transfers WHERE debit_account = a.user_id), 0)) AS mismatched_accounts,
                  (SELECT COUNT(*) FROM accounts a WHERE (a.frozen > 0 AND a.frozen > a.balance) OR a.frozen <>
                     COALESCE((SELECT SUM(amount - posted - voided) FROM pending_transfers WHERE debit_account = a.user_id), 0))
                  + (SELECT COUNT(*) FROM pending_transfers WHERE posted + voided > amount) AS mismatched_holds
                """) else { throw StoreError.database("audit returned no row") }
            return LedgerAudit(accounts: record.accounts, transfers: record.transfers, balanceSum: record.balanceSum,
                               negativeUserAccounts: record.negativeUserAccounts, mismatchedAccounts: record.mismatchedAccounts,
                               mismatchedHolds: record.mismatchedHolds)
        }
    }
}
