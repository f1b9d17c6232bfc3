extension Migrations {
    /// Refund batches of `refund_fastpay_by_platform_pwd`; their records are one JSON document,
    /// written when the batch is submitted and again, with the outcomes, when it completes.
    static let v5 = Migration(name: "v5 refund batches", sqlite: [
            """
                CREATE TABLE refund_batches (
                  id TEXT PRIMARY KEY,
                  partner TEXT NOT NULL REFERENCES merchants(partner),
                  batch_no TEXT NOT NULL,
                  fingerprint TEXT NOT NULL,
                  seller TEXT NOT NULL REFERENCES accounts(user_id),
                  refund_date TEXT NOT NULL,
                  notify_url TEXT,
                  sign_type TEXT NOT NULL,
                  charset TEXT NOT NULL,
                  status TEXT NOT NULL CHECK (status IN ('WAIT_CONFIRM', 'PROCESSING', 'COMPLETED')),
                  token TEXT NOT NULL UNIQUE,
                  created_at INTEGER NOT NULL,
                  records TEXT NOT NULL,
                  UNIQUE (partner, batch_no)
                )
                """,
            "CREATE INDEX refund_batches_status ON refund_batches(status)",
        ], postgres: [
            """
                CREATE TABLE refund_batches (
                  id TEXT PRIMARY KEY,
                  partner TEXT NOT NULL REFERENCES merchants(partner),
                  batch_no TEXT NOT NULL,
                  fingerprint TEXT NOT NULL,
                  seller TEXT NOT NULL REFERENCES accounts(user_id),
                  refund_date TEXT NOT NULL,
                  notify_url TEXT,
                  sign_type TEXT NOT NULL,
                  charset TEXT NOT NULL,
                  status TEXT NOT NULL CHECK (status IN ('WAIT_CONFIRM', 'PROCESSING', 'COMPLETED')),
                  token TEXT NOT NULL UNIQUE,
                  created_at BIGINT NOT NULL,
                  records TEXT NOT NULL,
                  UNIQUE (partner, batch_no)
                )
                """,
            "CREATE INDEX refund_batches_status ON refund_batches(status)",
        ])
}
