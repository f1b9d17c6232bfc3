import ZhifuCore

/// The store, written once over ``SQLDatabase``: SQLite (`SQLiteStore`) and PostgreSQL
/// (`PostgresStore`) differ only in the database under it. Each repository is one file beside
/// this one (`SQLStore+Accounts.swift`, …); statements shared by several repositories inside one
/// transaction (a ledger posting, an outbox row) are static functions on a connection.
public final class SQLStore<Database: SQLDatabase>: Sendable {
    public let database: Database
    /// Lone postings share statements and commits where the database is across the network. Two
    /// statements in flight measured best of 1, 2, 4 and 8 (docs/benchmarks.md, issue 17).
    let postings: PostingQueue?

    public init(database: Database) {
        self.database = database
        postings = database.dialect.postsOnServer ? PostingQueue(limit: 2) { transfers in
            try Self.results(of: try await database.writeStatement(Self.postingStatement(transfers)), posting: transfers)
        } : nil
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
