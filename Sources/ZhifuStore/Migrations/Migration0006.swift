extension Migrations {
    /// A block by wrong payment passwords ends (Alipay: after 3 hours); an operator's does not.
    static let v6 = Migration(name: "v6 password locks end", sqlite: [
            "ALTER TABLE accounts ADD COLUMN locked_until INTEGER",
        ], postgres: [
            "ALTER TABLE accounts ADD COLUMN locked_until BIGINT",
        ])
}
