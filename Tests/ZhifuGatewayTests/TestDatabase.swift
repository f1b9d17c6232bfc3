import Foundation
import GRDB
import PostgresNIO
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
        var components = try require(URLComponents(string: try require(serverURL)))
        let name = "zhifu_world_" + SecureRandom.alphanumeric(12)
        let client = PostgresClient(configuration: .init(
            host: components.host ?? "127.0.0.1", port: components.port ?? 5432, username: components.user ?? "postgres",
            password: components.password, database: String(components.path.dropFirst()), tls: .disable))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
            group.cancelAll()
        }
        components.path = "/" + name
        return try require(components.string)
    }
}

private struct Missing: Error {}

private func require<T>(_ value: T?) throws -> T {
    guard let value else { throw Missing() }
    return value
}

extension TestWorld {
    /// Runs SQL on the world's database behind the gateway's back (a corrupted or foreign row).
    /// The SQLite world must be on disk.
    func tamper(_ sql: String, sqliteFirst sqlitePragma: String? = nil) async throws {
        if let url = gateway.configuration.databaseURL {
            let components = try require(URLComponents(string: url))
            let client = PostgresClient(configuration: .init(
                host: components.host ?? "127.0.0.1", port: components.port ?? 5432, username: components.user ?? "postgres",
                password: components.password, database: String(components.path.dropFirst()), tls: .disable))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                try await client.query(PostgresQuery(unsafeSQL: sql))
                group.cancelAll()
            }
        } else {
            let queue = try DatabaseQueue(path: gateway.configuration.dataDirectory + "/zhifu.sqlite")
            try await queue.writeWithoutTransaction { db in
                if let sqlitePragma { try db.execute(sql: sqlitePragma) }
                try db.execute(sql: sql)
            }
        }
    }
}
