import Foundation
import ZhifuCore
import ZhifuProtocol

/// A row of `koubei_orders`; its items are one JSON document.
struct KoubeiOrderRecord: SQLRecord {
    static let columns = """
        order_no, partner, out_order_no, trade_no, shop_id, buyer, biz_product, biz_scene, items, send_order_no, send_token, fingerprint, created_at
        """

    var order: KoubeiOrder

    init(row: SQLRow) throws {
        let itemsJSON: String = try row["items"]
        let items: [KoubeiOrder.Item]
        do { items = try JSONDecoder().decode([KoubeiOrder.Item].self, from: Data(itemsJSON.utf8)) } catch { throw StoreError.corrupt("koubei_orders.items") }
        order = KoubeiOrder(orderNo: try row["order_no"], partner: try row["partner"], outOrderNo: try row["out_order_no"], tradeNo: try row["trade_no"],
                            shopId: try row["shop_id"], buyer: try row["buyer"], bizProduct: try row["biz_product"], bizScene: try row["biz_scene"],
                            items: items, sendOrderNo: try row["send_order_no"], sendToken: try row["send_token"], fingerprint: try row["fingerprint"],
                            createdAt: try row["created_at"])
    }
}

struct KoubeiTicketRecord: SQLRecord {
    static let columns = "ticket_code, order_no, partner, total_quantity, available_quantity, valid_start, valid_end, version, created_at"

    var ticket: KoubeiTicket

    init(row: SQLRow) throws {
        ticket = KoubeiTicket(ticketCode: try row["ticket_code"], orderNo: try row["order_no"], partner: try row["partner"],
                              totalQuantity: try row["total_quantity"], availableQuantity: try row["available_quantity"], validStart: try row["valid_start"],
                              validEnd: try row["valid_end"], version: try row["version"], createdAt: try row["created_at"])
    }
}

struct KoubeiTicketTransRecord: SQLRecord {
    static let columns = "trans_id, ticket_code, trans_type, request_id, quantity, seq, created_at"

    var line: KoubeiTicketTrans

    init(row: SQLRow) throws {
        line = KoubeiTicketTrans(transId: try row["trans_id"], ticketCode: try row["ticket_code"], kind: try row["trans_type"],
                                 requestId: try row["request_id"], quantity: try row["quantity"], seq: try row["seq"], createdAt: try row["created_at"])
    }
}

struct KoubeiPrecreateRecord: SQLRecord {
    static let columns = "partner, request_id, order_no, biz_type, out_order_no, shop_id, created_at"

    var precreate: KoubeiPrecreate

    init(row: SQLRow) throws {
        precreate = KoubeiPrecreate(partner: try row["partner"], requestId: try row["request_id"], orderNo: try row["order_no"],
                                    bizType: try row["biz_type"], outOrderNo: try row["out_order_no"], shopId: try row["shop_id"],
                                    createdAt: try row["created_at"])
    }
}

extension KoubeiTicketTrans.Kind: SQLColumnValue {}

/// Rolls a ticket change back from inside its transaction.
private struct Taken: Error {}

extension SQLStore: KoubeiRepository {
    public func insertKoubeiOrder(_ o: KoubeiOrder) async throws -> Bool {
        let items = String(decoding: try JSONEncoder().encode(o.items), as: UTF8.self)
        return try await database.write { db in
            try await db.execute("""
                INSERT INTO koubei_orders (\(unescaped: KoubeiOrderRecord.columns))
                VALUES (\(o.orderNo), \(o.partner), \(o.outOrderNo), \(o.tradeNo), \(o.shopId), \(o.buyer), \(o.bizProduct), \(o.bizScene), \(items),
                        \(o.sendOrderNo), \(o.sendToken), \(o.fingerprint), \(o.createdAt))
                ON CONFLICT DO NOTHING
                """) == 1
        }
    }

    public func koubeiOrder(orderNo: String) async throws -> KoubeiOrder? {
        try await database.read { db in
            try await db.fetchOne(KoubeiOrderRecord.self, "SELECT \(unescaped: KoubeiOrderRecord.columns) FROM koubei_orders WHERE order_no = \(orderNo)")?.order
        }
    }

    public func koubeiOrder(partner: UserId, outOrderNo: String) async throws -> KoubeiOrder? {
        try await database.read { db in
            try await db.fetchOne(KoubeiOrderRecord.self, """
                SELECT \(unescaped: KoubeiOrderRecord.columns) FROM koubei_orders WHERE partner = \(partner) AND out_order_no = \(outOrderNo)
                """)?.order
        }
    }

    public func insertKoubeiPrecreate(_ p: KoubeiPrecreate) async throws -> KoubeiPrecreate? {
        try await database.write { db in
            let inserted = try await db.execute("""
                INSERT INTO koubei_precreates (\(unescaped: KoubeiPrecreateRecord.columns))
                VALUES (\(p.partner), \(p.requestId), \(p.orderNo), \(p.bizType), \(p.outOrderNo), \(p.shopId), \(p.createdAt))
                ON CONFLICT DO NOTHING
                """)
            if inserted == 1 { return nil }
            return try await db.fetchOne(KoubeiPrecreateRecord.self, """
                SELECT \(unescaped: KoubeiPrecreateRecord.columns) FROM koubei_precreates WHERE partner = \(p.partner) AND request_id = \(p.requestId)
                """)?.precreate
        }
    }

    public func koubeiPrecreate(orderNo: String) async throws -> KoubeiPrecreate? {
        try await database.read { db in
            try await db.fetchOne(KoubeiPrecreateRecord.self, """
                SELECT \(unescaped: KoubeiPrecreateRecord.columns) FROM koubei_precreates WHERE order_no = \(orderNo)
                """)?.precreate
        }
    }

    public func insertKoubeiTickets(_ tickets: [KoubeiTicket], lines: [KoubeiTicketTrans]) async throws -> Bool {
        do {
            return try await database.write { db in
                for t in tickets {
                    let inserted = try await db.execute("""
                        INSERT INTO koubei_tickets (\(unescaped: KoubeiTicketRecord.columns))
                        VALUES (\(t.ticketCode), \(t.orderNo), \(t.partner), \(t.totalQuantity), \(t.availableQuantity), \(t.validStart), \(t.validEnd),
                                \(t.version), \(t.createdAt))
                        ON CONFLICT DO NOTHING
                        """)
                    if inserted != 1 { throw Taken() }
                }
                for line in lines where try await !Self.insert(line, on: db) { throw Taken() }
                return true
            }
        } catch is Taken {
            return false
        }
    }

    public func koubeiTicket(code: String) async throws -> KoubeiTicket? {
        try await database.read { db in
            try await db.fetchOne(KoubeiTicketRecord.self, "SELECT \(unescaped: KoubeiTicketRecord.columns) FROM koubei_tickets WHERE ticket_code = \(code)")?.ticket
        }
    }

    public func koubeiTickets(orderNo: String) async throws -> [KoubeiTicket] {
        try await database.read { db in
            try await db.fetchAll(KoubeiTicketRecord.self, """
                SELECT \(unescaped: KoubeiTicketRecord.columns) FROM koubei_tickets WHERE order_no = \(orderNo) ORDER BY ticket_code
                """).map(\.ticket)
        }
    }

    public func koubeiTicketTrans(code: String) async throws -> [KoubeiTicketTrans] {
        try await database.read { db in
            try await db.fetchAll(KoubeiTicketTransRecord.self, """
                SELECT \(unescaped: KoubeiTicketTransRecord.columns) FROM koubei_ticket_trans WHERE ticket_code = \(code) ORDER BY seq
                """).map(\.line)
        }
    }

    public func updateKoubeiTicket(_ t: KoubeiTicket, line: KoubeiTicketTrans) async throws -> Bool {
        do {
            return try await database.write { db in
                let changed = try await db.execute("""
                    UPDATE koubei_tickets SET available_quantity = \(t.availableQuantity), valid_end = \(t.validEnd), version = version + 1
                    WHERE ticket_code = \(t.ticketCode) AND version = \(t.version)
                    """)
                guard changed == 1, try await Self.insert(line, on: db) else { throw Taken() }
                return true
            }
        } catch is Taken {
            return false
        }
    }

    private static func insert(_ line: KoubeiTicketTrans, on db: any SQLConnection) async throws -> Bool {
        try await db.execute("""
            INSERT INTO koubei_ticket_trans (\(unescaped: KoubeiTicketTransRecord.columns))
            VALUES (\(line.transId), \(line.ticketCode), \(line.kind), \(line.requestId), \(line.quantity), \(line.seq), \(line.createdAt))
            ON CONFLICT DO NOTHING
            """) == 1
    }
}
