import Foundation
import ZhifuCore
import ZhifuProtocol

struct MybankOrderRecord: SQLRecord {
    static let columns = "partner, out_trade_no, recon_related_no, pay_type, amount, fingerprint, created_at"

    var order: MybankOrder

    init(row: SQLRow) throws {
        order = MybankOrder(partner: try row["partner"], outTradeNo: try row["out_trade_no"], reconRelatedNo: try row["recon_related_no"],
                            payType: try row["pay_type"], amount: try row["amount"], fingerprint: try row["fingerprint"], createdAt: try row["created_at"])
    }
}

extension MybankOrder.PayType: SQLColumnValue {}

/// Rolls a MYbank order back from inside its transaction.
private struct Refused: Error { var change: MybankChange }

extension SQLStore: MybankRepository {
    public func insertMybankOrder(_ order: MybankOrder) async throws -> MybankChange {
        do {
            return try await database.write { db in
                if let stored = try await db.fetchOne(MybankOrderRecord.self, """
                    SELECT \(unescaped: MybankOrderRecord.columns) FROM mybank_orders WHERE partner = \(order.partner) AND out_trade_no = \(order.outTradeNo)
                    """) { return .exists(stored.order) }
                // The merchant's row is locked first: refunds of one merchant are judged one at a time.
                _ = try await Self.lockedStates(order.partner, SystemAccounts.clearing, on: db)
                if order.payType == .refund {
                    let net = try await db.fetchValue(Int64.self, """
                        SELECT CAST(COALESCE(SUM(CASE WHEN pay_type = 'pay' THEN amount ELSE -amount END), 0) AS BIGINT) FROM mybank_orders
                        WHERE partner = \(order.partner) AND recon_related_no = \(order.reconRelatedNo)
                        """) ?? 0
                    guard order.amount.fen <= net else { return .refundExceedsPaid }
                }
                let inserted = try await db.execute("""
                    INSERT INTO mybank_orders (\(unescaped: MybankOrderRecord.columns))
                    VALUES (\(order.partner), \(order.outTradeNo), \(order.reconRelatedNo), \(order.payType), \(order.amount), \(order.fingerprint),
                            \(order.createdAt))
                    ON CONFLICT DO NOTHING
                    """)
                guard inserted == 1 else { throw Refused(change: .refused(.exists)) }
                let result = try await Self.post(order.transfer, on: db)
                guard result == .created else { throw Refused(change: .refused(result)) }
                return .created
            }
        } catch let refused as Refused {
            if case .refused(.exists) = refused.change, let stored = try await storedMybankOrder(order) { return .exists(stored) }
            return refused.change
        }
    }

    private func storedMybankOrder(_ order: MybankOrder) async throws -> MybankOrder? {
        try await database.read { db in
            try await db.fetchOne(MybankOrderRecord.self, """
                SELECT \(unescaped: MybankOrderRecord.columns) FROM mybank_orders WHERE partner = \(order.partner) AND out_trade_no = \(order.outTradeNo)
                """)?.order
        }
    }
}
