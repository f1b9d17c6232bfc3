import Foundation
import SQLKit
import SQLiteKit
import SQLiteNIO
import ZhifuCore
import ZhifuProtocol

/// Issue 8's alternative to the shared SQL layer: the same ledger posting written with vapor's
/// sql-kit over sqlite-kit (sqlite-nio), one durable transaction per transfer, measured in the same
/// run as the store and as GRDB directly. Writes go through one connection, one transaction at a
/// time, as GRDB's single writer does.
final class SQLKitLedger: Sendable {
    let connection: SQLiteNIO.SQLiteConnection
    let writer = SerialWriter()

    init(path: String) async throws {
        connection = try await SQLiteNIO.SQLiteConnection.open(storage: .file(path: path))
        for pragma in ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON", "PRAGMA busy_timeout = 10000"] {
            _ = try await connection.query(pragma)
        }
    }

    func post(_ transfer: Transfer) async throws -> TransferResult {
        try await writer.run { [connection] in
            let sql = connection.sql()
            try await sql.raw("BEGIN IMMEDIATE").run()
            do {
                let result = try await Self.post(transfer, on: sql)
                try await sql.raw("COMMIT").run()
                return result
            } catch {
                try? await sql.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    static func post(_ transfer: Transfer, on sql: any SQLDatabase) async throws -> TransferResult {
        let existing = try await sql.raw("""
            SELECT id, debit_account, credit_account, amount, code, reference, created_at FROM transfers WHERE id = \(bind: transfer.id)
            """).first().map { row in
            Transfer(id: try row.decode(column: "id", as: String.self), debit: UserId(try row.decode(column: "debit_account", as: String.self))!,
                     credit: UserId(try row.decode(column: "credit_account", as: String.self))!, amount: Amount(fen: try row.decode(column: "amount", as: Int64.self)),
                     code: TransferCode(rawValue: try row.decode(column: "code", as: String.self))!, reference: try row.decode(column: "reference", as: String.self),
                     createdAt: Date(timeIntervalSince1970: Double(try row.decode(column: "created_at", as: Int64.self)) / 1000))
        }
        var states: [String: LedgerAccountState] = [:]
        for row in try await sql.raw("""
            SELECT user_id, kind, balance FROM accounts WHERE user_id IN (\(bind: transfer.debit.rawValue), \(bind: transfer.credit.rawValue)) ORDER BY user_id
            """).all() {
            states[try row.decode(column: "user_id", as: String.self)] = LedgerAccountState(
                kind: AccountKind(rawValue: try row.decode(column: "kind", as: String.self))!, balance: Amount(fen: try row.decode(column: "balance", as: Int64.self)))
        }
        if let refusal = LedgerPosting.decide(transfer, existing: existing, debit: states[transfer.debit.rawValue], credit: states[transfer.credit.rawValue]) {
            return refusal
        }
        try await sql.raw("UPDATE accounts SET balance = balance - \(bind: transfer.amount.fen) WHERE user_id = \(bind: transfer.debit.rawValue)").run()
        try await sql.raw("UPDATE accounts SET balance = balance + \(bind: transfer.amount.fen) WHERE user_id = \(bind: transfer.credit.rawValue)").run()
        try await sql.raw("""
            INSERT INTO transfers (id, debit_account, credit_account, amount, code, reference, created_at)
            VALUES (\(bind: transfer.id), \(bind: transfer.debit.rawValue), \(bind: transfer.credit.rawValue), \(bind: transfer.amount.fen),
                    \(bind: transfer.code.rawValue), \(bind: transfer.reference), \(bind: Int64((transfer.createdAt.timeIntervalSince1970 * 1000).rounded())))
            """).run()
        return .created
    }

    func close() async throws { try await connection.close() }
}

/// One body at a time, in arrival order.
actor SerialWriter {
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        while busy { await withCheckedContinuation { waiters.append($0) } }
        busy = true
        defer {
            busy = false
            if !waiters.isEmpty { waiters.removeFirst().resume() }
        }
        return try await body()
    }
}
