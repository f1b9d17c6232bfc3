import ZhifuCore

extension SQLStore: SettingsRepository {
    public func setting(_ name: String) async throws -> String? {
        try await database.read { db in try await db.fetchValue(String.self, "SELECT value FROM settings WHERE name = \(name)") }
    }

    public func setSettingIfAbsent(_ name: String, value: String) async throws -> String {
        try await database.write { db in
            try await db.execute("INSERT INTO settings (name, value) VALUES (\(name), \(value)) ON CONFLICT (name) DO NOTHING")
            return try await db.fetchValue(String.self, "SELECT value FROM settings WHERE name = \(name)") ?? value
        }
    }

    public func addToSetting(_ name: String, amount: Int64) async throws -> Int64? {
        try await database.write { db in
            try await db.fetchValue(String.self, """
                UPDATE settings SET value = CAST(CAST(value AS BIGINT) + \(amount) AS TEXT) WHERE name = \(name) RETURNING value
                """).flatMap { Int64($0) }
        }
    }

    public func setSetting(_ name: String, value: String) async throws {
        try await database.write { db in
            try await db.execute("""
                INSERT INTO settings (name, value) VALUES (\(name), \(value)) ON CONFLICT (name) DO UPDATE SET value = excluded.value
                """)
        }
    }
}
