import Foundation
import GRDB
import PostgresNIO
import ZhifuCore
import ZhifuProtocol
import ZhifuStore

/// The reference for the SQLite ledger figure: the same posting (the same five statements, the
/// same ``LedgerPosting`` rules, one durable transaction per transfer) written against GRDB
/// directly, as the store was before it was written once for both databases. Its rate in the same
/// run is what the shared SQL layer is measured against.
struct GRDBLedger: Sendable {
    let pool: DatabasePool

    /// The database file `SQLiteStore` migrated and funded, opened the way `SQLiteDatabase` opens it.
    init(path: String) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        pool = try DatabasePool(path: path, configuration: configuration)
    }

    func post(_ transfer: Transfer) async throws -> TransferResult {
        try await pool.write { db in
            let existing = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT id, debit_account, credit_account, amount, code, reference, created_at FROM transfers WHERE id = ?
                """), arguments: [transfer.id]).map { row in
                Transfer(id: row["id"], debit: UserId(row["debit_account"] as String)!, credit: UserId(row["credit_account"] as String)!,
                         amount: Amount(fen: row["amount"]), code: TransferCode(rawValue: row["code"])!, reference: row["reference"],
                         createdAt: Date(timeIntervalSince1970: Double(row["created_at"] as Int64) / 1000))
            }
            var states: [String: LedgerAccountState] = [:]
            for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT user_id, kind, balance FROM accounts WHERE user_id IN (?, ?) ORDER BY user_id"),
                                        arguments: [transfer.debit.rawValue, transfer.credit.rawValue]) {
                states[row["user_id"]] = LedgerAccountState(kind: AccountKind(rawValue: row["kind"])!, balance: Amount(fen: row["balance"]))
            }
            if let refusal = LedgerPosting.decide(transfer, existing: existing, debit: states[transfer.debit.rawValue],
                                                  credit: states[transfer.credit.rawValue]) {
                return refusal
            }
            try db.cachedStatement(sql: "UPDATE accounts SET balance = balance - ? WHERE user_id = ?").execute(arguments: [transfer.amount.fen, transfer.debit.rawValue])
            try db.cachedStatement(sql: "UPDATE accounts SET balance = balance + ? WHERE user_id = ?").execute(arguments: [transfer.amount.fen, transfer.credit.rawValue])
            try db.cachedStatement(sql: """
                INSERT INTO transfers (id, debit_account, credit_account, amount, code, reference, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [transfer.id, transfer.debit.rawValue, transfer.credit.rawValue, transfer.amount.fen, transfer.code.rawValue,
                                         transfer.reference, Int64((transfer.createdAt.timeIntervalSince1970 * 1000).rounded())])
            return .created
        }
    }

    func close() throws { try pool.close() }
}

/// The reference for the PostgreSQL ledger figure: a posting statement by statement, as the store
/// posted before issue 17 (the id looked up, both accounts locked and read, two updates, an insert).
/// It credits the row, so the credits the store keeps as entries are folded before its rounds.
enum PostgresStatementwiseLedger {
    nonisolated(nonsending) static func post(_ transfer: Transfer, on db: any SQLConnection) async throws -> TransferResult {
        let existing = try await db.fetchAll("""
            SELECT id, debit_account, credit_account, amount, code, reference, created_at FROM transfers WHERE id = \(transfer.id)
            """).first.map { row in
            Transfer(id: try row["id"], debit: try row["debit_account"], credit: try row["credit_account"], amount: try row["amount"],
                     code: try row["code"], reference: try row["reference"], createdAt: try row["created_at"])
        }
        var states: [UserId: LedgerAccountState] = [:]
        for row in try await db.fetchAll("""
            SELECT user_id, kind, balance, frozen FROM accounts WHERE user_id IN (\(transfer.debit), \(transfer.credit)) ORDER BY user_id FOR NO KEY UPDATE
            """) {
            states[try row["user_id"]] = LedgerAccountState(kind: try row["kind"], balance: try row["balance"], frozen: try row["frozen"])
        }
        if let refusal = LedgerPosting.decide(transfer, existing: existing, debit: states[transfer.debit], credit: states[transfer.credit]) {
            return refusal
        }
        try await db.execute("UPDATE accounts SET balance = balance - \(transfer.amount) WHERE user_id = \(transfer.debit)")
        try await db.execute("UPDATE accounts SET balance = balance + \(transfer.amount) WHERE user_id = \(transfer.credit)")
        try await db.execute("""
            INSERT INTO transfers (id, debit_account, credit_account, amount, code, reference, created_at)
            VALUES (\(transfer.id), \(transfer.debit), \(transfer.credit), \(transfer.amount), \(transfer.code), \(transfer.reference), \(transfer.createdAt))
            """)
        return .created
    }
}

/// The second reference for the PostgreSQL ledger figure: postgres-nio alone, with none of the
/// store's layers (no SQL values, no shared commits, no deadline), posting each transfer with one
/// prepared `SELECT zhifu_post_transfer(…)`: what the driver itself reaches for one round trip per
/// posting on the same server.
struct PostgresDriverPosting: PostgresPreparedStatement {
    static let sql = "SELECT zhifu_post_transfer($1, $2, $3, $4, $5, $6, $7, NULL) AS result"
    typealias Row = String
    let transfer: Transfer

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 7)
        bindings.append(transfer.id)
        bindings.append(transfer.debit.rawValue)
        bindings.append(transfer.credit.rawValue)
        bindings.append(transfer.amount.fen)
        bindings.append(transfer.code.rawValue)
        bindings.append(transfer.reference)
        bindings.append(SQLTime.milliseconds(transfer.createdAt))
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> String { try row.decode(String.self) }

    /// The transfer's result; the checks the store decides in Swift are not made (the bench's
    /// transfers pass them).
    static func post(_ transfer: Transfer, client: PostgresClient) async throws -> TransferResult {
        for try await result in try await client.execute(PostgresDriverPosting(transfer: transfer)) {
            guard let answer = TransferResult(rawValue: result) else { break }
            return answer
        }
        throw StoreError.corrupt("zhifu_post_transfer answered no result")
    }
}
