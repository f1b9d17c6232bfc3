import Foundation
import GRDB
import PostgresNIO
import ZhifuStorePostgres
import Testing
import ZhifuProtocol

/// The stores a gateway test world can run on. PostgreSQL comes from `ZHIFU_TEST_DATABASE_URL`
/// (set by `scripts/test`); each world gets a database of its own, as its fixtures use fixed ids.
enum WorldStore: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite, postgres
    var description: String { rawValue }

    static var serverURL: String? { ProcessInfo.processInfo.environment["ZHIFU_TEST_DATABASE_URL"] }
    static var available: [WorldStore] { serverURL == nil ? [.sqlite] : allCases }

    /// A new, empty database on the test server; returns its URL.
    static func freshPostgresDatabase() async throws -> String {
        let server = try #require(serverURL)
        let name = "zhifu_world_" + SecureRandom.alphanumeric(12)
        try await runSQL("CREATE DATABASE \(name)", onDatabaseAt: server)
        var components = try #require(URLComponents(string: server))
        components.path = "/" + name
        return try #require(components.string)   // the query (sslmode, sslrootcert) is kept
    }

    /// Runs one statement on the PostgreSQL database at `url`, with a client of its own.
    static func runSQL(_ sql: String, onDatabaseAt url: String) async throws {
        let client = PostgresClient(configuration: try PostgresURL(url).clientConfiguration())
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            try await client.query(PostgresQuery(unsafeSQL: sql))
            group.cancelAll()
        }
    }
}

extension TestWorld {
    /// Runs SQL on the world's database behind the gateway's back (a corrupted or foreign row).
    /// The SQLite world must be on disk.
    func tamper(_ sql: String, sqliteFirst sqlitePragma: String? = nil) async throws {
        if let url = gateway.configuration.databaseURL {
            try await WorldStore.runSQL(sql, onDatabaseAt: url)
        } else {
            let queue = try DatabaseQueue(path: gateway.configuration.dataDirectory + "/zhifu.sqlite")
            try await queue.writeWithoutTransaction { db in
                if let sqlitePragma { try db.execute(sql: sqlitePragma) }
                try db.execute(sql: sql)
            }
        }
    }
}
