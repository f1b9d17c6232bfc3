import ZhifuCore
import ZhifuProtocol

/// A row of `merchants`; `services` is a comma-separated list.
struct MerchantRecord: SQLRecord {
    var partner: UserId
    var md5Key: String?
    var rsaPublicKey: String?
    var dsaPublicKey: String?
    var services: String

    init(row: SQLRow) throws {
        partner = try row["partner"]
        md5Key = try row["md5_key"]
        rsaPublicKey = try row["rsa_public_key"]
        dsaPublicKey = try row["dsa_public_key"]
        services = try row["services"]
    }

    var merchant: Merchant {
        Merchant(partner: partner, md5Key: md5Key, rsaPublicKey: rsaPublicKey, dsaPublicKey: dsaPublicKey,
                 services: services.split(separator: ",").map(String.init))
    }
}

struct AppRecord: SQLRecord {
    var appId: String
    var partner: UserId
    var publicKey: String
    var signType: String

    init(row: SQLRow) throws {
        appId = try row["app_id"]
        partner = try row["partner"]
        publicKey = try row["public_key"]
        signType = try row["sign_type"]
    }

    func app() throws -> App {
        guard let signType = SignType(rawValue: signType) else { throw StoreError.corrupt("app \(appId) sign_type \(signType)") }
        return App(appId: appId, partner: partner, publicKey: publicKey, signType: signType)
    }
}

struct AppAuthTokenRecord: SQLRecord {
    var token: String
    var appId: String
    var partner: UserId

    init(row: SQLRow) throws {
        token = try row["token"]
        appId = try row["app_id"]
        partner = try row["partner"]
    }
}

extension SQLStore: MerchantRepository {
    public func merchants(limit: Int) async throws -> [(merchant: Merchant, apps: [App])] {
        try await database.read { db in
            let merchants = try await db.fetchAll(MerchantRecord.self, """
                SELECT partner, md5_key, rsa_public_key, dsa_public_key, services FROM merchants ORDER BY partner LIMIT \(limit)
                """).map(\.merchant)
            let apps = try await db.fetchAll(AppRecord.self, "SELECT app_id, partner, public_key, sign_type FROM apps ORDER BY app_id").map { try $0.app() }
            return merchants.map { merchant in (merchant, apps.filter { $0.partner == merchant.partner }) }
        }
    }

    public func upsertMerchant(_ merchant: Merchant) async throws {
        try await database.write { db in
            try await db.execute("""
                INSERT INTO merchants (partner, md5_key, rsa_public_key, dsa_public_key, services)
                VALUES (\(merchant.partner), \(merchant.md5Key), \(merchant.rsaPublicKey), \(merchant.dsaPublicKey),
                        \(merchant.services.joined(separator: ",")))
                ON CONFLICT (partner) DO UPDATE SET md5_key = excluded.md5_key, rsa_public_key = excluded.rsa_public_key,
                  dsa_public_key = excluded.dsa_public_key, services = excluded.services
                """)
        }
    }

    public func merchant(partner: UserId) async throws -> Merchant? {
        try await database.read { db in
            try await db.fetchOne(MerchantRecord.self, """
                SELECT partner, md5_key, rsa_public_key, dsa_public_key, services FROM merchants WHERE partner = \(partner)
                """)?.merchant
        }
    }

    public func upsertApp(_ app: App) async throws {
        try await database.write { db in
            try await db.execute("""
                INSERT INTO apps (app_id, partner, public_key, sign_type) VALUES (\(app.appId), \(app.partner), \(app.publicKey), \(app.signType))
                ON CONFLICT (app_id) DO UPDATE SET partner = excluded.partner, public_key = excluded.public_key, sign_type = excluded.sign_type
                """)
        }
    }

    public func app(appId: String) async throws -> App? {
        try await database.read { db in
            try await db.fetchOne(AppRecord.self, "SELECT app_id, partner, public_key, sign_type FROM apps WHERE app_id = \(appId)")?.app()
        }
    }

    public func upsertAppAuthToken(_ token: AppAuthToken) async throws {
        try await database.write { db in
            try await db.execute("""
                INSERT INTO app_auth_tokens (token, app_id, partner) VALUES (\(token.token), \(token.appId), \(token.partner))
                ON CONFLICT (token) DO UPDATE SET app_id = excluded.app_id, partner = excluded.partner
                """)
        }
    }

    public func appAuthToken(_ token: String) async throws -> AppAuthToken? {
        try await database.read { db in
            try await db.fetchOne(AppAuthTokenRecord.self, "SELECT token, app_id, partner FROM app_auth_tokens WHERE token = \(token)").map {
                AppAuthToken(token: $0.token, appId: $0.appId, partner: $0.partner)
            }
        }
    }
}
