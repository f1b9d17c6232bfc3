extension Migrations {
    /// Trade subject, fingerprint and out_trade_no per partner.
    static let v3 = Migration(name: "v3 trade subject, fingerprint and out_trade_no per partner", sqlite: [
            "ALTER TABLE trades ADD COLUMN subject TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE trades ADD COLUMN fingerprint TEXT NOT NULL DEFAULT ''",
            "CREATE UNIQUE INDEX trades_out_trade_no ON trades(partner, out_trade_no)",
        ], postgres: [
            "ALTER TABLE trades ADD COLUMN subject TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE trades ADD COLUMN fingerprint TEXT NOT NULL DEFAULT ''",
            "CREATE UNIQUE INDEX trades_out_trade_no ON trades(partner, out_trade_no)",
        ])
}
