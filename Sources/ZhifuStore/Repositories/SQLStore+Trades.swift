import Foundation
import ZhifuCore
import ZhifuProtocol

/// A row of `trades`; `details` is a JSON document read whole.
struct TradeRecord: SQLRecord {
    static let columns = "trade_no, partner, buyer, out_trade_no, amount, status, created_at, subject, fingerprint, version, expires_at, details"

    var tradeNo: String
    var partner: UserId
    var buyer: UserId?
    var outTradeNo: String
    var amount: Amount
    var status: TradeStatus
    var createdAt: Date
    var subject: String
    var fingerprint: String
    var version: Int
    var expiresAt: Date?
    var details: String

    init(row: SQLRow) throws {
        tradeNo = try row["trade_no"]
        partner = try row["partner"]
        buyer = try row["buyer"]
        outTradeNo = try row["out_trade_no"]
        amount = try row["amount"]
        status = try row["status"]
        createdAt = try row["created_at"]
        subject = try row["subject"]
        fingerprint = try row["fingerprint"]
        version = try row["version"]
        expiresAt = try row["expires_at"]
        details = try row["details"]
    }

    func trade() throws -> Trade {
        Trade(tradeNo: tradeNo, partner: partner, buyer: buyer, outTradeNo: outTradeNo, amount: amount, status: status, createdAt: createdAt,
              subject: subject, fingerprint: fingerprint, version: version, expiresAt: expiresAt, details: try TradeDetails(json: details))
    }
}

struct TradeRefundRecord: SQLRecord {
    static let columns = "trade_no, out_request_no, amount, reason, created_at, items"

    var refund: TradeRefund

    init(row: SQLRow) throws {
        let itemsJSON: String? = try row["items"]
        var items: [String: Int64]?
        if let itemsJSON {
            do { items = try JSONDecoder().decode([String: Int64].self, from: Data(itemsJSON.utf8)) } catch { throw StoreError.corrupt("trade_refunds.items") }
        }
        refund = TradeRefund(tradeNo: try row["trade_no"], outRequestNo: try row["out_request_no"], amount: try row["amount"], reason: try row["reason"],
                             createdAt: try row["created_at"], items: items)
    }
}

struct PaymentCodeRecord: SQLRecord {
    var code: String
    var userId: UserId
    var expiresAt: Date
    var usedAt: Date?

    init(row: SQLRow) throws {
        code = try row["code"]
        userId = try row["user_id"]
        expiresAt = try row["expires_at"]
        usedAt = try row["used_at"]
    }
}

extension SQLStore: TradeRepository {
    public func insertTrade(_ trade: Trade) async throws -> Bool {
        try await database.write { db in try await Self.insert(trade, version: trade.version, on: db) }
    }

    /// Inserts unless the trade number or `(partner, out_trade_no)` is taken; says whether it did.
    static func insert(_ trade: Trade, version: Int, on db: any SQLConnection) async throws -> Bool {
        try await db.execute(insertStatement(trade, version: version)) == 1
    }

    static func insertStatement(_ trade: Trade, version: Int) -> SQL {
        """
            INSERT INTO trades (\(unescaped: TradeRecord.columns))
            VALUES (\(trade.tradeNo), \(trade.partner), \(trade.buyer), \(trade.outTradeNo), \(trade.amount), \(trade.status), \(trade.createdAt),
                    \(trade.subject), \(trade.fingerprint), \(version), \(trade.expiresAt), \(trade.details.json))
            ON CONFLICT DO NOTHING
            """
    }

    public func trade(tradeNo: String) async throws -> Trade? {
        try await database.read { db in
            try await db.fetchOne(TradeRecord.self, "SELECT \(unescaped: TradeRecord.columns) FROM trades WHERE trade_no = \(tradeNo)")?.trade()
        }
    }

    public func trade(partner: UserId, outTradeNo: String) async throws -> Trade? {
        try await database.read { db in
            try await db.fetchOne(TradeRecord.self, """
                SELECT \(unescaped: TradeRecord.columns) FROM trades WHERE partner = \(partner) AND out_trade_no = \(outTradeNo)
                ORDER BY created_at LIMIT 1
                """)?.trade()
        }
    }

    public func expiredTradeNos(now: Date, limit: Int) async throws -> [String] {
        try await database.read { db in
            try await db.fetchAll(TradeNoRecord.self, """
                SELECT trade_no FROM trades WHERE status = 'WAIT_BUYER_PAY' AND expires_at <= \(now) ORDER BY expires_at LIMIT \(limit)
                """).map(\.tradeNo)
        }
    }

    public func tradeNos(status: TradeStatus, createdBefore before: Date, limit: Int) async throws -> [String] {
        try await database.read { db in
            try await db.fetchAll(TradeNoRecord.self, """
                SELECT trade_no FROM trades WHERE status = \(status) AND created_at <= \(before) ORDER BY created_at LIMIT \(limit)
                """).map(\.tradeNo)
        }
    }

    public func refund(tradeNo: String, outRequestNo: String) async throws -> TradeRefund? {
        try await database.read { db in
            try await db.fetchOne(TradeRefundRecord.self, """
                SELECT \(unescaped: TradeRefundRecord.columns) FROM trade_refunds WHERE trade_no = \(tradeNo) AND out_request_no = \(outRequestNo)
                """)?.refund
        }
    }

    public func refunds(tradeNo: String) async throws -> [TradeRefund] {
        try await database.read { db in
            try await db.fetchAll(TradeRefundRecord.self, """
                SELECT \(unescaped: TradeRefundRecord.columns) FROM trade_refunds WHERE trade_no = \(tradeNo) ORDER BY created_at, out_request_no
                """).map(\.refund)
        }
    }

    public func nextTradeExpiry() async throws -> Date? {
        try await database.read { db in
            try await db.fetchValue(Date?.self, "SELECT MIN(expires_at) FROM trades WHERE status = 'WAIT_BUYER_PAY'") ?? nil
        }
    }

    public func recentTrades(status: TradeStatus?, limit: Int) async throws -> [Trade] {
        try await database.read { db in
            if let status {
                return try await db.fetchAll(TradeRecord.self, """
                    SELECT \(unescaped: TradeRecord.columns) FROM trades WHERE status = \(status) ORDER BY created_at DESC LIMIT \(limit)
                    """).map { try $0.trade() }
            }
            return try await db.fetchAll(TradeRecord.self, "SELECT \(unescaped: TradeRecord.columns) FROM trades ORDER BY created_at DESC LIMIT \(limit)")
                .map { try $0.trade() }
        }
    }

    public func insertPaymentCode(_ code: PaymentCode) async throws {
        try await database.write { db in
            try await db.execute("""
                INSERT INTO payment_codes (code, user_id, expires_at, used_at) VALUES (\(code.code), \(code.buyer), \(code.expiresAt), \(code.usedAt))
                """)
        }
    }

    public func paymentCodeWithBuyer(_ code: String) async throws -> (code: PaymentCode, buyer: Account)? {
        try await database.read { db in
            // Prepared: on PostgreSQL planning this join took five times as long as running it.
            guard let row = try await db.fetchAll(SQL("""
                SELECT p.code, p.expires_at, p.used_at, \(unescaped: AccountRecord.columns(of: "a"))
                FROM payment_codes p JOIN accounts a ON a.user_id = p.user_id WHERE p.code = \(code)
                """).prepared()).first else { return nil }
            let stored = try PaymentCodeRecord(row: row), buyer = try AccountRecord(row: row).account
            return (PaymentCode(code: stored.code, buyer: stored.userId, expiresAt: stored.expiresAt, usedAt: stored.usedAt), buyer)
        }
    }

    public func paymentCode(_ code: String) async throws -> PaymentCode? {
        try await database.read { db in
            try await db.fetchOne(PaymentCodeRecord.self, "SELECT code, user_id, expires_at, used_at FROM payment_codes WHERE code = \(code)").map {
                PaymentCode(code: $0.code, buyer: $0.userId, expiresAt: $0.expiresAt, usedAt: $0.usedAt)
            }
        }
    }
}

struct TradeNoRecord: SQLRecord {
    var tradeNo: String

    init(row: SQLRow) throws {
        tradeNo = try row["trade_no"]
    }
}
