extension Migrations {
    /// MYbank acquiring orders reported by `mybank.payment.trade.order.create`.
    static let v11 = Migration(name: "v11 mybank orders", sqlite: v11Tables(integer: "INTEGER"), postgres: v11Tables(integer: "BIGINT"))

    private static func v11Tables(integer: String) -> [String] {
        [
            """
                CREATE TABLE mybank_orders (
                  partner TEXT NOT NULL REFERENCES merchants(partner),
                  out_trade_no TEXT NOT NULL,
                  recon_related_no TEXT NOT NULL,
                  pay_type TEXT NOT NULL CHECK (pay_type IN ('pay', 'refund')),
                  amount \(integer) NOT NULL CHECK (amount > 0),
                  fingerprint TEXT NOT NULL,
                  created_at \(integer) NOT NULL,
                  PRIMARY KEY (partner, out_trade_no)
                )
                """,
            "CREATE INDEX mybank_orders_recon ON mybank_orders(partner, recon_related_no)",
        ]
    }
}
