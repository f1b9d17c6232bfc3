extension Migrations {
    /// Fund authorisation (预授权): pending transfers hold part of an account's balance (`frozen`),
    /// orders name their hold, and every freeze, unfreeze and payment is an operation.
    static let v8 = Migration(name: "v8 pending transfers, fund authorisation", sqlite: [
            "ALTER TABLE accounts ADD COLUMN frozen INTEGER NOT NULL DEFAULT 0 CHECK (frozen >= 0 AND (frozen = 0 OR frozen <= balance))",
        ] + v8Tables(integer: "INTEGER"), postgres: [
            """
                ALTER TABLE accounts ADD COLUMN frozen BIGINT NOT NULL DEFAULT 0,
                  ADD CONSTRAINT accounts_frozen CHECK (frozen >= 0 AND (frozen = 0 OR frozen <= balance))
                """,
        ] + v8Tables(integer: "BIGINT"))

    /// The new tables, alike in both dialects but for the 64-bit integer's name.
    private static func v8Tables(integer: String) -> [String] {
        [
            """
                CREATE TABLE pending_transfers (
                  id TEXT PRIMARY KEY,
                  debit_account TEXT NOT NULL REFERENCES accounts(user_id),
                  credit_account TEXT NOT NULL REFERENCES accounts(user_id),
                  amount \(integer) NOT NULL CHECK (amount > 0),
                  posted \(integer) NOT NULL DEFAULT 0 CHECK (posted >= 0),
                  voided \(integer) NOT NULL DEFAULT 0 CHECK (voided >= 0),
                  code TEXT NOT NULL,
                  reference TEXT NOT NULL,
                  created_at \(integer) NOT NULL,
                  CHECK (posted + voided <= amount),
                  CHECK (debit_account <> credit_account)
                )
                """,
            "CREATE INDEX pending_transfers_debit ON pending_transfers(debit_account)",
            """
                CREATE TABLE fund_auth_orders (
                  auth_no TEXT PRIMARY KEY,
                  partner TEXT NOT NULL REFERENCES merchants(partner),
                  out_order_no TEXT NOT NULL,
                  order_title TEXT NOT NULL,
                  product_code TEXT NOT NULL,
                  fingerprint TEXT NOT NULL,
                  payer_logon_id TEXT NOT NULL,
                  app_id TEXT NOT NULL,
                  notify_url TEXT,
                  charset TEXT NOT NULL,
                  sign_type TEXT NOT NULL,
                  trans_currency TEXT,
                  hold_id TEXT NOT NULL UNIQUE REFERENCES pending_transfers(id),
                  UNIQUE (partner, out_order_no)
                )
                """,
            """
                CREATE TABLE fund_auth_operations (
                  operation_id TEXT PRIMARY KEY,
                  auth_no TEXT NOT NULL REFERENCES fund_auth_orders(auth_no),
                  out_request_no TEXT NOT NULL,
                  operation_type TEXT NOT NULL CHECK (operation_type IN ('FREEZE', 'UNFREEZE', 'PAY')),
                  amount \(integer) NOT NULL CHECK (amount > 0),
                  remark TEXT,
                  created_at \(integer) NOT NULL,
                  UNIQUE (auth_no, operation_type, out_request_no)
                )
                """,
        ]
    }
}
