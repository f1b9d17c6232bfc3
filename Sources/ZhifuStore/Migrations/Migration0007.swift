extension Migrations {
    /// Buyer sessions end on the server: logging out moves the account's session epoch on, and a
    /// cookie of an earlier epoch is no longer accepted by any node.
    static let v7 = Migration(name: "v7 session epochs", sqlite: [
            "ALTER TABLE accounts ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0",
        ], postgres: [
            "ALTER TABLE accounts ADD COLUMN session_epoch BIGINT NOT NULL DEFAULT 0",
        ])
}
