extension Migrations {
    /// Fault rules that fire on a share of calls.
    static let v17 = Migration(name: "v17 fault rule share", both: [
        "ALTER TABLE fault_rules ADD COLUMN share_percent INTEGER CHECK (share_percent BETWEEN 1 AND 100)",
    ])
}
