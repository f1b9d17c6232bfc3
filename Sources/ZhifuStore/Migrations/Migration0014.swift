extension Migrations {
    /// Each notification names the business object it is about (trade_no, batch_no, auth_no), so
    /// the console can show a trade's notifications under it.
    static let v14 = Migration(name: "v14 notification references", both: [
        "ALTER TABLE notifications ADD COLUMN reference TEXT",
        "CREATE INDEX notifications_reference ON notifications(reference)",
        "CREATE INDEX notifications_created ON notifications(created_at)",
        "CREATE INDEX trades_created ON trades(created_at)",
    ])
}
