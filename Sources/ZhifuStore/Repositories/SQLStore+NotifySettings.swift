import Foundation
import ZhifuCore
import ZhifuProtocol

struct NotifySettingsRecord: SQLRecord {
    var settings: MerchantNotifySettings

    init(row: SQLRow) throws {
        let paused: Int64 = try row["paused"]
        guard paused == 0 || paused == 1 else { throw StoreError.corrupt("merchant_notify_settings.paused \(paused)") }
        settings = MerchantNotifySettings(partner: try row["partner"], redirectURL: try row["redirect_url"], paused: paused == 1)
    }
}

extension SQLStore: NotifySettingsRepository {
    public func notifySettings() async throws -> [MerchantNotifySettings] {
        try await database.read { db in
            try await db.fetchAll(NotifySettingsRecord.self, "SELECT partner, redirect_url, paused FROM merchant_notify_settings ORDER BY partner").map(\.settings)
        }
    }

    public func setNotifySettings(_ s: MerchantNotifySettings) async throws -> Bool {
        try await database.write { db in
            guard try await db.fetchValue(String.self, "SELECT partner FROM merchants WHERE partner = \(s.partner)") != nil else { return false }
            try await db.execute("""
                INSERT INTO merchant_notify_settings (partner, redirect_url, paused) VALUES (\(s.partner), \(s.redirectURL), \(Int64(s.paused ? 1 : 0)))
                ON CONFLICT (partner) DO UPDATE SET redirect_url = excluded.redirect_url, paused = excluded.paused
                """)
            return true
        }
    }
}
