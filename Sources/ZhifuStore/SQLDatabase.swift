import ZhifuCore

/// One transaction's (or one read's) access to the database. The repositories are written once
/// against it; the SQLite and PostgreSQL stores each provide one.
public protocol SQLConnection {
    var dialect: SQLDialect { get }
    /// Runs a statement; returns how many rows it changed.
    @discardableResult
    func execute(_ sql: SQL) async throws -> Int
    /// Runs a query; returns every row.
    func fetchAll(_ sql: SQL) async throws -> [SQLRow]
}

/// A statement's own guard refused its change, and the statement was rolled back whole
/// (PostgreSQL: SQLSTATE ZR001, raised by `zhifu_trade_change`, migration v21); `reason` is the
/// outcome the guard names.
public struct SQLRefusal: Error, Equatable, Sendable {
    public var reason: String
    public init(reason: String) { self.reason = reason }
}

/// A database the shared store runs on: SQLite through GRDB, PostgreSQL through postgres-nio.
public protocol SQLDatabase: Sendable {
    var dialect: SQLDialect { get }
    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    /// Database errors arrive as ``StoreError``; other errors pass through unchanged.
    @discardableResult
    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) async throws -> T) async throws -> T
    /// Runs one statement as a transaction of its own and returns its rows: on a database across
    /// the network that saves the BEGIN and COMMIT round trips.
    func writeStatement(_ sql: SQL) async throws -> [SQLRow]
    /// Runs `body` on a consistent snapshot, changing nothing.
    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) async throws -> T) async throws -> T
    /// Applies the migrations not yet applied, in order.
    func migrate(_ migrations: [Migration]) async throws
    /// Every table's columns with their nullability, and its unique keys: compared between the two
    /// stores by the conformance suite.
    func schema() async throws -> Schema
    /// Reaches the database outside any pool and runs a trivial query, throwing why it cannot.
    func probe() async throws
    func close() async throws
}

extension SQLDatabase {
    public func writeStatement(_ sql: SQL) async throws -> [SQLRow] {
        try await write { db in try await db.fetchAll(sql) }
    }
}

/// A migration: one numbered step, with DDL per dialect where the two differ.
public struct Migration: Sendable {
    /// Also the identifier recorded as applied: never rename a migration that has shipped.
    public var name: String
    public var sqlite: [String]
    public var postgres: [String]

    public init(name: String, sqlite: [String], postgres: [String]) {
        self.name = name; self.sqlite = sqlite; self.postgres = postgres
    }

    /// DDL both databases read alike.
    public init(name: String, both: [String]) {
        self.init(name: name, sqlite: both, postgres: both)
    }
}

/// A schema as the conformance suite compares it.
public struct Schema: Sendable, Equatable, CustomStringConvertible {
    public struct Column: Sendable, Hashable, Comparable {
        public var name: String
        public var nullable: Bool
        public init(name: String, nullable: Bool) { self.name = name; self.nullable = nullable }
        public static func < (lhs: Column, rhs: Column) -> Bool { lhs.name < rhs.name }
    }

    /// Table name → its columns, sorted by name.
    public var tables: [String: [Column]]
    /// Table name → its unique keys (primary key included), each as sorted column names.
    public var uniqueKeys: [String: Set<[String]>]

    public init(tables: [String: [Column]], uniqueKeys: [String: Set<[String]>]) {
        self.tables = tables; self.uniqueKeys = uniqueKeys
    }

    public var description: String {
        tables.keys.sorted().map { table in
            let columns = tables[table]!.map { $0.name + ($0.nullable ? "?" : "") }.joined(separator: ", ")
            let keys = (uniqueKeys[table] ?? []).map { "(" + $0.joined(separator: ", ") + ")" }.sorted().joined(separator: " ")
            return "\(table): \(columns) unique \(keys)"
        }.joined(separator: "\n")
    }
}
