import Foundation
import ZhifuCore
import ZhifuProtocol

/// A row of `pending_transfers`.
struct PendingTransferRecord: SQLRecord {
    static let columns = "id, debit_account, credit_account, amount, posted, voided, code, reference, created_at"

    var pending: PendingTransfer

    init(row: SQLRow) throws {
        pending = PendingTransfer(id: try row["id"], debit: try row["debit_account"], credit: try row["credit_account"], amount: try row["amount"],
                                  posted: try row["posted"], voided: try row["voided"], code: try row["code"], reference: try row["reference"],
                                  createdAt: try row["created_at"])
    }
}

/// Two-phase transfers, inside the caller's transaction (a fund authorisation's unit of work).
extension SQLStore {
    /// Holds `pending.amount` of the debit account (its `frozen` grows), once per id.
    static func hold(_ pending: PendingTransfer, on db: any SQLConnection) async throws -> TransferResult {
        let existing = try await db.fetchOne(PendingTransferRecord.self, """
            SELECT \(unescaped: PendingTransferRecord.columns) FROM pending_transfers WHERE id = \(pending.id)
            """)
        let state = try await lockedStates(pending.debit, pending.credit, on: db)
        if let refusal = PendingPosting.decideHold(pending, existing: existing?.pending, debit: state(pending.debit), credit: state(pending.credit)) {
            return refusal
        }
        try await db.execute("UPDATE accounts SET frozen = frozen + \(pending.amount) WHERE user_id = \(pending.debit)")
        try await db.execute("""
            INSERT INTO pending_transfers (\(unescaped: PendingTransferRecord.columns))
            VALUES (\(pending.id), \(pending.debit), \(pending.credit), \(pending.amount), 0, 0, \(pending.code), \(pending.reference), \(pending.createdAt))
            """)
        return .created
    }

    /// Releases `amount` of the hold `id`: posted as `transfer` (which must name the hold's two
    /// accounts), or voided back to the debit account when `transfer` is `nil`. The hold's row is
    /// locked first, so concurrent releases never take more than it holds.
    static func release(_ amount: Amount, of id: String, postingAs transfer: Transfer?, on db: any SQLConnection) async throws -> PendingTransferResult {
        let pending = try await db.fetchOne(PendingTransferRecord.self, """
            SELECT \(unescaped: PendingTransferRecord.columns) FROM pending_transfers WHERE id = \(id)\(unescaped: db.dialect.lockRows)
            """)?.pending
        if let refusal = PendingPosting.decideRelease(amount, of: pending, debit: transfer?.debit, credit: transfer?.credit) { return refusal }
        guard let pending else { return .pendingNotFound }
        if transfer == nil {
            try await db.execute("UPDATE pending_transfers SET voided = voided + \(amount) WHERE id = \(id)")
        } else {
            try await db.execute("UPDATE pending_transfers SET posted = posted + \(amount) WHERE id = \(id)")
        }
        try await db.execute("UPDATE accounts SET frozen = frozen - \(amount) WHERE user_id = \(pending.debit)")
        if let transfer {
            let result = try await post(transfer, on: db)
            // The money was held for exactly this: a refusal here is a broken invariant, rolled back.
            guard result == .created else { throw StoreError.constraint("posting from hold \(id): \(result)") }
        }
        return .changed
    }
}
