extension Migrations {
    /// The operator's notify settings per merchant (kept apart from `merchants`, which fixtures replace).
    static let v18 = Migration(name: "v18 merchant notify settings", sqlite: v18Tables(integer: "INTEGER"), postgres: v18Tables(integer: "BIGINT"))

    private static func v18Tables(integer: String) -> [String] {
        [
            """
                CREATE TABLE merchant_notify_settings (
                  partner TEXT PRIMARY KEY REFERENCES merchants(partner),
                  redirect_url TEXT,
                  paused \(integer) NOT NULL DEFAULT 0 CHECK (paused IN (0, 1))
                )
                """,
        ]
    }
}
