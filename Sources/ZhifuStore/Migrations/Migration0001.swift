extension Migrations {
    /// Accounts, merchants, apps, trades, transfers.
    static let v1 = Migration(name: "v1 accounts, merchants, apps, trades, transfers", sqlite: [
            """
                CREATE TABLE settings (
                  name TEXT PRIMARY KEY,
                  value TEXT NOT NULL
                )
                """,
            """
                CREATE TABLE accounts (
                  user_id TEXT PRIMARY KEY CHECK (length(user_id) = 16 AND user_id GLOB '2088[0-9]*'),
                  logon_id TEXT NOT NULL UNIQUE CHECK (length(logon_id) BETWEEN 1 AND 100),
                  name TEXT NOT NULL,
                  kind TEXT NOT NULL CHECK (kind IN ('user', 'clearing')),
                  status TEXT NOT NULL CHECK (status IN ('normal', 'blocked')),
                  password_hash TEXT,
                  failed_password_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_password_attempts >= 0),
                  balance INTEGER NOT NULL DEFAULT 0,
                  CHECK (kind = 'clearing' OR balance >= 0)
                )
                """,
            """
                CREATE TABLE merchants (
                  partner TEXT PRIMARY KEY REFERENCES accounts(user_id),
                  md5_key TEXT,
                  rsa_public_key TEXT,
                  dsa_public_key TEXT,
                  services TEXT NOT NULL
                )
                """,
            """
                CREATE TABLE apps (
                  app_id TEXT PRIMARY KEY,
                  partner TEXT NOT NULL REFERENCES merchants(partner),
                  public_key TEXT NOT NULL,
                  sign_type TEXT NOT NULL CHECK (sign_type IN ('RSA', 'RSA2'))
                )
                """,
            """
                CREATE TABLE trades (
                  trade_no TEXT PRIMARY KEY,
                  partner TEXT NOT NULL REFERENCES merchants(partner),
                  buyer TEXT REFERENCES accounts(user_id),
                  out_trade_no TEXT NOT NULL,
                  amount INTEGER NOT NULL CHECK (amount > 0),
                  status TEXT NOT NULL CHECK (status IN ('WAIT_BUYER_PAY', 'TRADE_SUCCESS', 'TRADE_FINISHED', 'TRADE_CLOSED')),
                  created_at INTEGER NOT NULL
                )
                """,
            """
                CREATE TABLE transfers (
                  seq INTEGER PRIMARY KEY AUTOINCREMENT,
                  id TEXT NOT NULL UNIQUE,
                  debit_account TEXT NOT NULL REFERENCES accounts(user_id),
                  credit_account TEXT NOT NULL REFERENCES accounts(user_id),
                  amount INTEGER NOT NULL CHECK (amount > 0),
                  code TEXT NOT NULL,
                  reference TEXT NOT NULL,
                  created_at INTEGER NOT NULL,
                  CHECK (debit_account <> credit_account)
                )
                """,
            "CREATE INDEX transfers_debit ON transfers(debit_account)",
            "CREATE INDEX transfers_credit ON transfers(credit_account)",
            "CREATE INDEX transfers_reference ON transfers(reference)",
            """
                CREATE TRIGGER transfers_no_update BEFORE UPDATE ON transfers
                  BEGIN SELECT RAISE(ABORT, 'transfers are immutable'); END
                """,
            """
                CREATE TRIGGER transfers_no_delete BEFORE DELETE ON transfers
                  BEGIN SELECT RAISE(ABORT, 'transfers are immutable'); END
                """,
        ], postgres: [
            "CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
            """
                CREATE TABLE accounts (
                  user_id TEXT PRIMARY KEY CHECK (user_id ~ '^2088[0-9]{12}$'),
                  logon_id TEXT NOT NULL UNIQUE CHECK (length(logon_id) BETWEEN 1 AND 100),
                  name TEXT NOT NULL,
                  kind TEXT NOT NULL CHECK (kind IN ('user', 'clearing')),
                  status TEXT NOT NULL CHECK (status IN ('normal', 'blocked')),
                  password_hash TEXT,
                  failed_password_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_password_attempts >= 0),
                  balance BIGINT NOT NULL DEFAULT 0,
                  CHECK (kind = 'clearing' OR balance >= 0)
                )
                """,
            """
                CREATE TABLE merchants (
                  partner TEXT PRIMARY KEY REFERENCES accounts(user_id),
                  md5_key TEXT, rsa_public_key TEXT, dsa_public_key TEXT,
                  services TEXT NOT NULL
                )
                """,
            """
                CREATE TABLE apps (
                  app_id TEXT PRIMARY KEY,
                  partner TEXT NOT NULL REFERENCES merchants(partner),
                  public_key TEXT NOT NULL,
                  sign_type TEXT NOT NULL CHECK (sign_type IN ('RSA', 'RSA2'))
                )
                """,
            """
                CREATE TABLE trades (
                  trade_no TEXT PRIMARY KEY,
                  partner TEXT NOT NULL REFERENCES merchants(partner),
                  buyer TEXT REFERENCES accounts(user_id),
                  out_trade_no TEXT NOT NULL,
                  amount BIGINT NOT NULL CHECK (amount > 0),
                  status TEXT NOT NULL CHECK (status IN ('WAIT_BUYER_PAY', 'TRADE_SUCCESS', 'TRADE_FINISHED', 'TRADE_CLOSED')),
                  created_at BIGINT NOT NULL
                )
                """,
            """
                CREATE TABLE transfers (
                  seq BIGSERIAL PRIMARY KEY,
                  id TEXT NOT NULL UNIQUE,
                  debit_account TEXT NOT NULL REFERENCES accounts(user_id),
                  credit_account TEXT NOT NULL REFERENCES accounts(user_id),
                  amount BIGINT NOT NULL CHECK (amount > 0),
                  code TEXT NOT NULL,
                  reference TEXT NOT NULL,
                  created_at BIGINT NOT NULL,
                  CHECK (debit_account <> credit_account)
                )
                """,
            "CREATE INDEX transfers_debit ON transfers(debit_account)",
            "CREATE INDEX transfers_credit ON transfers(credit_account)",
            "CREATE INDEX transfers_reference ON transfers(reference)",
            """
                CREATE FUNCTION transfers_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'transfers are immutable'; END $$
                """,
            """
                CREATE TRIGGER transfers_no_change BEFORE UPDATE OR DELETE ON transfers FOR EACH ROW EXECUTE FUNCTION transfers_immutable()
                """,
        ])
}
