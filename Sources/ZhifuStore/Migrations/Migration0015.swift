extension Migrations {
    /// The console's fault rules, shared by every node.
    static let v15 = Migration(name: "v15 fault rules", sqlite: v15Tables(integer: "INTEGER"), postgres: v15Tables(integer: "BIGINT"))

    private static func v15Tables(integer: String) -> [String] {
        [
            """
                CREATE TABLE fault_rules (
                  id TEXT PRIMARY KEY,
                  kind TEXT NOT NULL CHECK (kind IN ('method', 'notify', 'buyer')),
                  target TEXT NOT NULL,
                  answer TEXT NOT NULL,
                  body TEXT,
                  remaining \(integer) CHECK (remaining >= 0),
                  fired \(integer) NOT NULL DEFAULT 0,
                  enabled \(integer) NOT NULL,
                  created_at \(integer) NOT NULL
                )
                """,
        ]
    }
}
