extension Migrations {
    /// Huabei pre-authorisation agreements (their frozen credit is a pending transfer) and settlements.
    static let v12 = Migration(name: "v12 huabei agreements", sqlite: v12Tables(integer: "INTEGER"), postgres: v12Tables(integer: "BIGINT"))

    private static func v12Tables(integer: String) -> [String] {
        [
            """
                CREATE TABLE huabei_agreements (
                  agreement_no TEXT PRIMARY KEY,
                  alipay_user_id TEXT NOT NULL REFERENCES accounts(user_id),
                  seller TEXT NOT NULL REFERENCES merchants(partner),
                  status TEXT NOT NULL CHECK (status IN ('Y', 'N')),
                  hold_id TEXT NOT NULL UNIQUE REFERENCES pending_transfers(id)
                )
                """,
            """
                CREATE TABLE huabei_settlements (
                  seller TEXT NOT NULL REFERENCES merchants(partner),
                  out_request_no TEXT NOT NULL,
                  agreement_no TEXT NOT NULL REFERENCES huabei_agreements(agreement_no),
                  amount \(integer) NOT NULL CHECK (amount > 0),
                  action_type TEXT NOT NULL,
                  created_at \(integer) NOT NULL,
                  PRIMARY KEY (seller, out_request_no)
                )
                """,
        ]
    }
}
