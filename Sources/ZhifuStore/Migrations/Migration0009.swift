extension Migrations {
    /// Refund applications of `alipay.trade.refund.apply`, retried while the seller's balance is short.
    static let v9 = Migration(name: "v9 refund applications", sqlite: v9Tables(integer: "INTEGER"), postgres: v9Tables(integer: "BIGINT"))

    private static func v9Tables(integer: String) -> [String] {
        [
            """
                CREATE TABLE refund_applications (
                  trade_no TEXT NOT NULL REFERENCES trades(trade_no),
                  out_request_no TEXT NOT NULL,
                  amount \(integer) NOT NULL CHECK (amount > 0),
                  reason TEXT,
                  status TEXT NOT NULL CHECK (status IN ('REFUND_PROCESSING', 'REFUND_SUCCESS', 'REFUND_FAIL')),
                  attempts \(integer) NOT NULL DEFAULT 0,
                  next_attempt_at \(integer) NOT NULL,
                  failure TEXT,
                  created_at \(integer) NOT NULL,
                  PRIMARY KEY (trade_no, out_request_no)
                )
                """,
            "CREATE INDEX refund_applications_due ON refund_applications(status, next_attempt_at)",
        ]
    }
}
