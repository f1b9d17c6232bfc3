extension Migrations {
    /// Trade versions, expiry, details, refunds, payment codes, app auth tokens.
    static let v4 = Migration(name: "v4 trade versions, expiry, details, refunds, payment codes, app auth tokens", sqlite: [
            "ALTER TABLE trades ADD COLUMN version INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE trades ADD COLUMN expires_at INTEGER",
            "ALTER TABLE trades ADD COLUMN details TEXT NOT NULL DEFAULT '{}'",
            "CREATE INDEX trades_expiry ON trades(status, expires_at)",
            "CREATE INDEX trades_status_created ON trades(status, created_at)",
            """
                CREATE TABLE trade_refunds (
                  trade_no TEXT NOT NULL REFERENCES trades(trade_no),
                  out_request_no TEXT NOT NULL,
                  amount INTEGER NOT NULL CHECK (amount > 0),
                  reason TEXT,
                  created_at INTEGER NOT NULL,
                  PRIMARY KEY (trade_no, out_request_no)
                )
                """,
            """
                CREATE TABLE payment_codes (
                  code TEXT PRIMARY KEY,
                  user_id TEXT NOT NULL REFERENCES accounts(user_id),
                  expires_at INTEGER NOT NULL,
                  used_at INTEGER
                )
                """,
            """
                CREATE TABLE app_auth_tokens (
                  token TEXT PRIMARY KEY,
                  app_id TEXT NOT NULL,
                  partner TEXT NOT NULL
                )
                """,
        ], postgres: [
            "ALTER TABLE trades ADD COLUMN version INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE trades ADD COLUMN expires_at BIGINT",
            "ALTER TABLE trades ADD COLUMN details TEXT NOT NULL DEFAULT '{}'",
            "CREATE INDEX trades_expiry ON trades(status, expires_at)",
            "CREATE INDEX trades_status_created ON trades(status, created_at)",
            """
                CREATE TABLE trade_refunds (
                  trade_no TEXT NOT NULL REFERENCES trades(trade_no),
                  out_request_no TEXT NOT NULL,
                  amount BIGINT NOT NULL CHECK (amount > 0),
                  reason TEXT,
                  created_at BIGINT NOT NULL,
                  PRIMARY KEY (trade_no, out_request_no)
                )
                """,
            """
                CREATE TABLE payment_codes (
                  code TEXT PRIMARY KEY,
                  user_id TEXT NOT NULL REFERENCES accounts(user_id),
                  expires_at BIGINT NOT NULL,
                  used_at BIGINT
                )
                """,
            "CREATE TABLE app_auth_tokens (token TEXT PRIMARY KEY, app_id TEXT NOT NULL, partner TEXT NOT NULL)",
        ])
}
