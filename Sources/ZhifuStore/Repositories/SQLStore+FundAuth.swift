import Foundation
import ZhifuCore
import ZhifuProtocol

/// A row of `fund_auth_orders` joined with its hold in `pending_transfers`.
struct FundAuthOrderRecord: SQLRecord {
    static let select = """
        SELECT o.auth_no, o.partner, o.out_order_no, o.order_title, o.product_code, o.fingerprint, o.payer_logon_id, o.app_id, o.notify_url,
               o.charset, o.sign_type, o.trans_currency, p.id, p.debit_account, p.credit_account, p.amount, p.posted, p.voided, p.code,
               p.reference, p.created_at
        FROM fund_auth_orders o JOIN pending_transfers p ON p.id = o.hold_id
        """

    var order: FundAuthOrder

    init(row: SQLRow) throws {
        order = FundAuthOrder(authNo: try row["auth_no"], partner: try row["partner"], outOrderNo: try row["out_order_no"],
                              orderTitle: try row["order_title"], productCode: try row["product_code"], fingerprint: try row["fingerprint"],
                              payerLogonId: try row["payer_logon_id"], appId: try row["app_id"], notifyURL: try row["notify_url"],
                              charset: try row["charset"], signType: try row["sign_type"], transCurrency: try row["trans_currency"],
                              hold: try PendingTransferRecord(row: row).pending)
    }
}

/// A row of `fund_auth_operations`.
struct FundAuthOperationRecord: SQLRecord {
    static let columns = "operation_id, auth_no, out_request_no, operation_type, amount, remark, created_at"

    var operation: FundAuthOperation

    init(row: SQLRow) throws {
        operation = FundAuthOperation(operationId: try row["operation_id"], authNo: try row["auth_no"], outRequestNo: try row["out_request_no"],
                                      kind: try row["operation_type"], amount: try row["amount"], remark: try row["remark"],
                                      createdAt: try row["created_at"])
    }
}

extension FundAuthOperation.Kind: SQLColumnValue {}

/// Rolls a fund authorisation change back from inside its transaction with the outcome to report.
private struct Refused: Error { var change: FundAuthChange }

extension SQLStore: FundAuthRepository {
    public func insertFundAuthOrder(_ order: FundAuthOrder, freeze: FundAuthOperation, paymentCode: (code: String, at: Date),
                                    notifications: [OutboxNotification]) async throws -> FundAuthChange {
        do {
            return try await database.write { db in
                let held = try await Self.hold(order.hold, on: db)
                guard held == .created else { throw Refused(change: held == .exists ? .duplicate : .refused(held)) }
                let inserted = try await db.execute("""
                    INSERT INTO fund_auth_orders (auth_no, partner, out_order_no, order_title, product_code, fingerprint, payer_logon_id, app_id,
                                                  notify_url, charset, sign_type, trans_currency, hold_id)
                    VALUES (\(order.authNo), \(order.partner), \(order.outOrderNo), \(order.orderTitle), \(order.productCode), \(order.fingerprint),
                            \(order.payerLogonId), \(order.appId), \(order.notifyURL), \(order.charset), \(order.signType), \(order.transCurrency),
                            \(order.hold.id))
                    ON CONFLICT DO NOTHING
                    """)
                guard inserted == 1 else { throw Refused(change: .duplicate) }
                let used = try await db.execute("""
                    UPDATE payment_codes SET used_at = \(paymentCode.at)
                    WHERE code = \(paymentCode.code) AND user_id = \(order.payer) AND used_at IS NULL AND expires_at > \(paymentCode.at)
                    """)
                guard used == 1 else { throw Refused(change: .paymentCodeUnusable) }
                try await Self.insert(freeze, on: db)
                for notification in notifications { try await Self.insert(notification, on: db) }
                return .changed
            }
        } catch let refused as Refused {
            return refused.change
        }
    }

    public func fundAuthOrder(authNo: String) async throws -> FundAuthOrder? {
        try await database.read { db in
            try await db.fetchOne(FundAuthOrderRecord.self, "\(unescaped: FundAuthOrderRecord.select) WHERE o.auth_no = \(authNo)")?.order
        }
    }

    public func fundAuthOrder(partner: UserId, outOrderNo: String) async throws -> FundAuthOrder? {
        try await database.read { db in
            try await db.fetchOne(FundAuthOrderRecord.self, """
                \(unescaped: FundAuthOrderRecord.select) WHERE o.partner = \(partner) AND o.out_order_no = \(outOrderNo)
                """)?.order
        }
    }

    public func fundAuthOperations(authNo: String) async throws -> [FundAuthOperation] {
        try await database.read { db in
            try await db.fetchAll(FundAuthOperationRecord.self, """
                SELECT \(unescaped: FundAuthOperationRecord.columns) FROM fund_auth_operations WHERE auth_no = \(authNo)
                ORDER BY created_at, operation_id
                """).map(\.operation)
        }
    }

    public func unfreeze(_ operation: FundAuthOperation,
                         notifications: @escaping @Sendable (FundAuthOrder) -> [OutboxNotification]) async throws -> FundAuthChange {
        do {
            return try await database.write { db in
                let released = try await Self.release(operation.amount, of: FundAuthOrder.holdId(authNo: operation.authNo), postingAs: nil, on: db)
                guard released == .changed else { throw Refused(change: .released(released)) }
                guard try await Self.insert(operation, on: db) else { throw Refused(change: .duplicate) }
                guard let after = try await db.fetchOne(FundAuthOrderRecord.self, """
                    \(unescaped: FundAuthOrderRecord.select) WHERE o.auth_no = \(operation.authNo)
                    """)?.order else { throw StoreError.notFound("fund auth order \(operation.authNo)") }
                for notification in notifications(after) { try await Self.insert(notification, on: db) }
                return .changed
            }
        } catch let refused as Refused {
            return refused.change
        }
    }

    /// Inserts an operation unless its `(auth_no, operation_type, out_request_no)` is taken.
    @discardableResult
    static func insert(_ operation: FundAuthOperation, on db: any SQLConnection) async throws -> Bool {
        try await db.execute("""
            INSERT INTO fund_auth_operations (\(unescaped: FundAuthOperationRecord.columns))
            VALUES (\(operation.operationId), \(operation.authNo), \(operation.outRequestNo), \(operation.kind), \(operation.amount),
                    \(operation.remark), \(operation.createdAt))
            ON CONFLICT DO NOTHING
            """) == 1
    }
}
