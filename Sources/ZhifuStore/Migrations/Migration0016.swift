extension Migrations {
    /// Batch pay to bank accounts: uploaded files (`bptb_pay_file_confirm`) and their rows.
    static let v16 = Migration(name: "v16 bptb files", sqlite: v16Tables(integer: "INTEGER"), postgres: v16Tables(integer: "BIGINT"))

    private static func v16Tables(integer: String) -> [String] {
        [
            """
                CREATE TABLE bptb_files (
                  id TEXT PRIMARY KEY,
                  partner TEXT NOT NULL REFERENCES merchants(partner),
                  file_name TEXT NOT NULL,
                  fingerprint TEXT NOT NULL,
                  status TEXT NOT NULL CHECK (status IN ('UPLOADED', 'WAIT_FUNDS', 'CLEARING', 'COMPLETED')),
                  uploaded_at \(integer) NOT NULL,
                  token TEXT,
                  payer TEXT REFERENCES accounts(user_id),
                  email TEXT,
                  return_url TEXT,
                  notify_url TEXT,
                  sign_type TEXT,
                  charset TEXT,
                  pay_date TEXT,
                  confirmed_at \(integer),
                  due_at \(integer),
                  short_notified \(integer) NOT NULL DEFAULT 0,
                  UNIQUE (partner, file_name)
                )
                """,
            "CREATE INDEX bptb_files_due ON bptb_files(status, due_at)",
            "CREATE INDEX bptb_files_pay_date ON bptb_files(partner, pay_date)",
            """
                CREATE TABLE bptb_rows (
                  file_id TEXT NOT NULL REFERENCES bptb_files(id),
                  seq \(integer) NOT NULL,
                  serial_no TEXT NOT NULL,
                  payee_name TEXT NOT NULL,
                  account_no TEXT NOT NULL,
                  province TEXT NOT NULL,
                  city TEXT NOT NULL,
                  bank_name TEXT NOT NULL,
                  branch TEXT NOT NULL,
                  amount_text TEXT NOT NULL,
                  amount \(integer),
                  flag TEXT NOT NULL,
                  memo TEXT NOT NULL,
                  failure TEXT,
                  status TEXT NOT NULL CHECK (status IN ('INVALID', 'PENDING', 'SUBMITTED', 'PAID', 'BOUNCED')),
                  withdraw_no TEXT,
                  finished_at \(integer),
                  bounce_reason TEXT,
                  PRIMARY KEY (file_id, seq)
                )
                """,
        ]
    }
}
