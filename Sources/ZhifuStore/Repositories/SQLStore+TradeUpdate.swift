import Foundation
import ZhifuCore
import ZhifuProtocol

/// Rolls a trade update back from inside its transaction with the outcome to report.
private struct Refused: Error { var change: TradeChange }

extension SQLStore {
    /// A trade's change — its row, the payment code, the money, a refund, the notifications — all
    /// or nothing. Where the ledger lives on the server (PostgreSQL) it is one statement, a round
    /// trip instead of six; a payment from a fund authorisation's hold keeps the transaction, whose
    /// steps decide on what they read.
    public func updateTrade(_ update: TradeUpdate) async throws -> TradeChange {
        if database.dialect.postsOnServer, update.authPayment == nil {
            do {
                _ = try await database.writeStatement(try Self.changeStatement(update))
                return .changed
            } catch let refusal as SQLRefusal {
                return try TradeChange(refusal)
            }
        }
        do {
            return try await database.write { db in
                guard try await db.execute(try Self.tradeWrite(update)) == 1 else { return .stale }
                if let (code, time) = update.paymentCode, try await db.execute(Self.codeUse(code, at: time)) != 1 {
                    // Throwing rolls the whole transaction back, trade change included.
                    throw Refused(change: .paymentCodeUnusable)
                }
                if let payment = update.authPayment {
                    try await Self.payFromHold(payment, transfers: update.transfers, on: db)
                } else {
                    for transfer in update.transfers {
                        let result = try await Self.post(transfer, on: db)
                        if !result.isPosted { throw Refused(change: .refused(result)) }
                    }
                }
                if let refund = update.refund { try await db.execute(try Self.refundInsert(refund)) }
                for notification in update.notifications { try await Self.insert(notification, on: db) }
                return .changed
            }
        } catch let refused as Refused {
            return refused.change
        }
    }

    /// The change as one statement (migration v21): each write is a CTE, and `zhifu_trade_change`
    /// judges their counts and the postings' answers, raising the outcome (``SQLRefusal``) so that
    /// the statement is rolled back whole when one fell short.
    ///
    /// Order matters, and is PostgreSQL's: a CTE runs when first read. The trade's runs first; the
    /// code's is read LATERAL to it, so after it, and only if the trade was written (the transaction
    /// took their locks in the same order and stopped at a stale trade); the postings run only if
    /// both wrote their row (a CASE evaluates one branch), so a change that lost its race locks no
    /// account; and the CTEs nothing reads (the refund, the notifications) run after the SELECT,
    /// when the executor finishes, so never after a raise. The trade's foreign keys are checked at the end of the statement: a
    /// trade naming a missing buyer would be refused for its code first here, but TradeService
    /// never builds one.
    static func changeStatement(_ update: TradeUpdate) throws -> SQL {
        var sql: SQL = "WITH trade AS (\(try tradeWrite(update)) RETURNING 1)"
        if let (code, time) = update.paymentCode { sql.append(", code AS (\(codeUse(code, at: time)) RETURNING 1)") }
        if let refund = update.refund { sql.append(", refund AS (\(try refundInsert(refund)))") }
        for (index, notification) in update.notifications.enumerated() {
            sql.append(", notification\(unescaped: String(index)) AS (\(insertStatement(notification)))")
        }
        let codes = update.paymentCode == nil ? "(SELECT CAST(NULL AS BIGINT) AS n)" : "LATERAL (SELECT count(*) AS n FROM code WHERE trades.n = 1)"
        sql.append("""
             SELECT zhifu_trade_change(trades.n, codes.n, CASE WHEN trades.n = 1 AND coalesce(codes.n, 1) = 1
                                                              THEN \(postings(update.transfers)) ELSE CAST('{}' AS TEXT[]) END) AS change
            FROM (SELECT count(*) AS n FROM trade) trades CROSS JOIN \(unescaped: codes) codes
            """)
        // Its shapes: new or moved on, with or without a code and a refund, a few notifications
        // and transfers.
        return sql.prepared()
    }

    /// Inserts a new trade (taken: no row) or moves a stored one on from the version it was read at
    /// (moved on meanwhile: no row).
    private static func tradeWrite(_ update: TradeUpdate) throws -> SQL {
        let trade = update.trade
        if update.isNew { return insertStatement(trade, version: trade.version + 1) }
        return """
            UPDATE trades SET buyer = \(trade.buyer), status = \(trade.status), version = version + 1, expires_at = \(trade.expiresAt),
              details = \(trade.details.json)
            WHERE trade_no = \(trade.tradeNo) AND version = \(trade.version)
            """
    }

    /// Uses the payment code up, unless it was used or has expired (no row).
    private static func codeUse(_ code: String, at time: Date) -> SQL {
        "UPDATE payment_codes SET used_at = \(time) WHERE code = \(code) AND used_at IS NULL AND expires_at > \(time)"
    }

    private static func refundInsert(_ refund: TradeRefund) throws -> SQL {
        """
            INSERT INTO trade_refunds (\(unescaped: TradeRefundRecord.columns))
            VALUES (\(refund.tradeNo), \(refund.outRequestNo), \(refund.amount), \(refund.reason), \(refund.createdAt),
                    \(try refund.items.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }))
            """
    }

    /// Posts a PRE_AUTH payment's transfers from the fund authorisation's hold, unfreezes the rest
    /// for auth_confirm_mode COMPLETE, and records the PAY operation.
    private static func payFromHold(_ payment: FundAuthPayment, transfers: [Transfer], on db: any SQLConnection) async throws {
        let holdId = FundAuthOrder.holdId(authNo: payment.operation.authNo)
        for transfer in transfers {
            let result = try await release(transfer.amount, of: holdId, postingAs: transfer, on: db)
            if result != .changed { throw Refused(change: .holdRefused(result)) }
        }
        if payment.voidRest, let rest = try await db.fetchValue(Amount.self, "SELECT amount - posted - voided FROM pending_transfers WHERE id = \(holdId)"),
           rest.fen > 0 {
            _ = try await release(rest, of: holdId, postingAs: nil, on: db)
        }
        guard try await insert(payment.operation, on: db) else { throw Refused(change: .stale) }
    }
}

extension TradeChange {
    /// The outcome `zhifu_trade_change` raised; one it never raises is ``StoreError/corrupt(_:)``.
    init(_ refusal: SQLRefusal) throws {
        let refused = "refused "
        let posting = refusal.reason.hasPrefix(refused) ? TransferResult(rawValue: String(refusal.reason.dropFirst(refused.count))) : nil
        switch (refusal.reason, posting) {
        case ("stale", _): self = .stale
        case ("paymentCodeUnusable", _): self = .paymentCodeUnusable
        case (_, let posting?): self = .refused(posting)
        default: throw StoreError.corrupt("trade change refused: \(refusal.reason)")
        }
    }
}
