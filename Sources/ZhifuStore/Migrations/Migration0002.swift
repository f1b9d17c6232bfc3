extension Migrations {
    /// Batches and notifications.
    static let v2 = Migration(name: "v2 batches and notifications", sqlite: [
            """
                CREATE TABLE batches (
                  id TEXT PRIMARY KEY,
                  partner TEXT NOT NULL REFERENCES merchants(partner),
                  batch_no TEXT NOT NULL,
                  fingerprint TEXT NOT NULL,
                  payer TEXT NOT NULL REFERENCES accounts(user_id),
                  account_name TEXT NOT NULL,
                  batch_fee INTEGER NOT NULL CHECK (batch_fee > 0),
                  pay_date TEXT NOT NULL,
                  notify_url TEXT,
                  sign_type TEXT NOT NULL,
                  charset TEXT NOT NULL,
                  extend_param TEXT,
                  status TEXT NOT NULL CHECK (status IN ('WAIT_CONFIRM', 'PROCESSING', 'COMPLETED')),
                  token TEXT NOT NULL UNIQUE,
                  created_at INTEGER NOT NULL,
                  UNIQUE (partner, batch_no)
                )
                """,
            "CREATE INDEX batches_status ON batches(status)",
            """
                CREATE TABLE batch_details (
                  batch_id TEXT NOT NULL REFERENCES batches(id),
                  seq INTEGER NOT NULL,
                  serial_no TEXT NOT NULL,
                  payee_account TEXT NOT NULL,
                  payee_name TEXT NOT NULL,
                  amount INTEGER NOT NULL CHECK (amount > 0),
                  remark TEXT NOT NULL,
                  status TEXT NOT NULL CHECK (status IN ('PENDING', 'S', 'F')),
                  reason TEXT,
                  inner_no TEXT,
                  finished_at INTEGER,
                  PRIMARY KEY (batch_id, seq),
                  UNIQUE (batch_id, serial_no)
                )
                """,
            """
                CREATE TABLE notifications (
                  notify_id TEXT PRIMARY KEY,
                  partner TEXT NOT NULL,
                  notify_url TEXT NOT NULL,
                  notify_type TEXT NOT NULL,
                  protocol TEXT NOT NULL CHECK (protocol IN ('mapi', 'openapi')),
                  sign_type TEXT NOT NULL,
                  charset TEXT NOT NULL,
                  parameters TEXT NOT NULL,
                  status TEXT NOT NULL CHECK (status IN ('PENDING', 'ACKNOWLEDGED', 'EXHAUSTED')),
                  attempts INTEGER NOT NULL DEFAULT 0,
                  next_attempt_at INTEGER NOT NULL,
                  created_at INTEGER NOT NULL
                )
                """,
            "CREATE INDEX notifications_due ON notifications(status, next_attempt_at)",
            """
                CREATE TABLE notification_attempts (
                  seq INTEGER PRIMARY KEY AUTOINCREMENT,
                  notify_id TEXT NOT NULL REFERENCES notifications(notify_id),
                  attempted_at INTEGER NOT NULL,
                  http_status INTEGER,
                  body_prefix TEXT NOT NULL,
                  latency_ms INTEGER NOT NULL,
                  error TEXT,
                  acknowledged INTEGER NOT NULL
                )
                """,
            "CREATE INDEX notification_attempts_id ON notification_attempts(notify_id)",
        ], postgres: [
            """
                CREATE TABLE batches (
                  id TEXT PRIMARY KEY,
                  partner TEXT NOT NULL REFERENCES merchants(partner),
                  batch_no TEXT NOT NULL,
                  fingerprint TEXT NOT NULL,
                  payer TEXT NOT NULL REFERENCES accounts(user_id),
                  account_name TEXT NOT NULL,
                  batch_fee BIGINT NOT NULL CHECK (batch_fee > 0),
                  pay_date TEXT NOT NULL,
                  notify_url TEXT,
                  sign_type TEXT NOT NULL,
                  charset TEXT NOT NULL,
                  extend_param TEXT,
                  status TEXT NOT NULL CHECK (status IN ('WAIT_CONFIRM', 'PROCESSING', 'COMPLETED')),
                  token TEXT NOT NULL UNIQUE,
                  created_at BIGINT NOT NULL,
                  UNIQUE (partner, batch_no)
                )
                """,
            "CREATE INDEX batches_status ON batches(status)",
            """
                CREATE TABLE batch_details (
                  batch_id TEXT NOT NULL REFERENCES batches(id),
                  seq INTEGER NOT NULL,
                  serial_no TEXT NOT NULL,
                  payee_account TEXT NOT NULL,
                  payee_name TEXT NOT NULL,
                  amount BIGINT NOT NULL CHECK (amount > 0),
                  remark TEXT NOT NULL,
                  status TEXT NOT NULL CHECK (status IN ('PENDING', 'S', 'F')),
                  reason TEXT,
                  inner_no TEXT,
                  finished_at BIGINT,
                  PRIMARY KEY (batch_id, seq),
                  UNIQUE (batch_id, serial_no)
                )
                """,
            """
                CREATE TABLE notifications (
                  notify_id TEXT PRIMARY KEY,
                  partner TEXT NOT NULL,
                  notify_url TEXT NOT NULL,
                  notify_type TEXT NOT NULL,
                  protocol TEXT NOT NULL CHECK (protocol IN ('mapi', 'openapi')),
                  sign_type TEXT NOT NULL,
                  charset TEXT NOT NULL,
                  parameters TEXT NOT NULL,
                  status TEXT NOT NULL CHECK (status IN ('PENDING', 'ACKNOWLEDGED', 'EXHAUSTED')),
                  attempts INTEGER NOT NULL DEFAULT 0,
                  next_attempt_at BIGINT NOT NULL,
                  created_at BIGINT NOT NULL
                )
                """,
            "CREATE INDEX notifications_due ON notifications(status, next_attempt_at)",
            """
                CREATE TABLE notification_attempts (
                  seq BIGSERIAL PRIMARY KEY,
                  notify_id TEXT NOT NULL REFERENCES notifications(notify_id),
                  attempted_at BIGINT NOT NULL,
                  http_status INTEGER,
                  body_prefix TEXT NOT NULL,
                  latency_ms INTEGER NOT NULL,
                  error TEXT,
                  acknowledged BOOLEAN NOT NULL
                )
                """,
            "CREATE INDEX notification_attempts_id ON notification_attempts(notify_id)",
        ])
}
