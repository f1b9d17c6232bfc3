import Foundation
import ZhifuCore
import ZhifuGateway
import ZhifuStorePostgres
import ZhifuStoreSQLite

extension Gateway {
    /// Opens a gateway on the store its configuration names, as `zhifu serve` would: PostgreSQL
    /// for a database URL (its client run by a task of the test's), else SQLite in memory or in
    /// the data directory.
    static func open(_ configuration: GatewayConfiguration) async throws -> Gateway {
        let store: any Store
        if let url = configuration.databaseURL {
            let postgres = try PostgresStore(url: url)
            Task { try await postgres.database.run() }
            store = postgres
        } else if configuration.inMemory {
            store = try SQLiteStore(path: nil)
        } else {
            try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
            store = try SQLiteStore(path: configuration.dataDirectory + "/zhifu.sqlite")
        }
        return try await Gateway.open(configuration, store: store)
    }
}
