extension Migrations {
    /// Koubei item orders (paid through their trade), the codes code merchants issue for them and
    /// each code's history; a refund may say how it splits over an order's items.
    static let v10 = Migration(name: "v10 koubei orders and tickets", sqlite: v10Tables(integer: "INTEGER"), postgres: v10Tables(integer: "BIGINT"))

    private static func v10Tables(integer: String) -> [String] {
        [
            "ALTER TABLE trade_refunds ADD COLUMN items TEXT",
            """
                CREATE TABLE koubei_orders (
                  order_no TEXT PRIMARY KEY,
                  partner TEXT NOT NULL REFERENCES merchants(partner),
                  out_order_no TEXT NOT NULL,
                  trade_no TEXT NOT NULL UNIQUE REFERENCES trades(trade_no),
                  shop_id TEXT NOT NULL,
                  buyer TEXT NOT NULL REFERENCES accounts(user_id),
                  biz_product TEXT NOT NULL,
                  biz_scene TEXT NOT NULL,
                  items TEXT NOT NULL,
                  send_order_no TEXT NOT NULL UNIQUE,
                  send_token TEXT NOT NULL,
                  fingerprint TEXT NOT NULL,
                  created_at \(integer) NOT NULL,
                  UNIQUE (partner, out_order_no)
                )
                """,
            """
                CREATE TABLE koubei_tickets (
                  ticket_code TEXT PRIMARY KEY,
                  order_no TEXT NOT NULL REFERENCES koubei_orders(order_no),
                  partner TEXT NOT NULL REFERENCES merchants(partner),
                  total_quantity \(integer) NOT NULL CHECK (total_quantity > 0),
                  available_quantity \(integer) NOT NULL CHECK (available_quantity >= 0 AND available_quantity <= total_quantity),
                  valid_start \(integer) NOT NULL,
                  valid_end \(integer) NOT NULL,
                  version \(integer) NOT NULL,
                  created_at \(integer) NOT NULL
                )
                """,
            "CREATE INDEX koubei_tickets_order ON koubei_tickets(order_no)",
            """
                CREATE TABLE koubei_ticket_trans (
                  trans_id TEXT PRIMARY KEY,
                  ticket_code TEXT NOT NULL REFERENCES koubei_tickets(ticket_code),
                  trans_type TEXT NOT NULL CHECK (trans_type IN ('SEND', 'USE', 'CANCEL', 'DELAY')),
                  request_id TEXT NOT NULL,
                  quantity \(integer) NOT NULL,
                  seq \(integer) NOT NULL,
                  created_at \(integer) NOT NULL,
                  UNIQUE (ticket_code, trans_type, request_id),
                  UNIQUE (ticket_code, seq)
                )
                """,
        ]
    }
}
