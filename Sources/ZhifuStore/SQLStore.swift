import ZhifuCore

/// The store, written once over ``SQLDatabase``: SQLite (`SQLiteStore`) and PostgreSQL
/// (`PostgresStore`) differ only in the database under it. Each repository is one file beside
/// this one (`SQLStore+Accounts.swift`, …); statements shared by several repositories inside one
/// transaction (a ledger posting, an outbox row) are static functions on a connection.
public final class SQLStore<Database: SQLDatabase>: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }
}

extension SQLStore: Store {
    public func migrate() async throws {
        try await database.migrate(Migrations.all)
    }

    public var kind: String { database.dialect.name }

    public func probe() async throws {
        try await database.probe()
    }

    public func close() async throws {
        try await database.close()
    }
}
