import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import ZhifuCore
import ZhifuStore

/// The store for many gateway nodes sharing one PostgreSQL database.
public typealias PostgresStore = SQLStore<PostgresDatabase>

extension SQLStore where Database == PostgresDatabase {
    /// Connects to `postgres://user:password@host:port/database`. Nothing is sent until the
    /// database's ``PostgresDatabase/run()`` runs (in the application's service group).
    public convenience init(url: String, logger: Logger = Logger(label: "zhifu.postgres")) throws {
        self.init(database: try PostgresDatabase(url: url, logger: logger))
    }
}

/// PostgreSQL through postgres-nio's `PostgresClient`, a pool of connections. It is a `Service`:
/// `zhifu serve` runs it in the application's service group, which shuts it down last.
///
/// Postings lock the two accounts in user-id order (`SELECT … FOR NO KEY UPDATE`), so concurrent nodes
/// serialise per account; a transaction that loses a deadlock or a serialisation check is run
/// again, and nothing else is retried.
public final class PostgresDatabase: SQLDatabase, Service {
    public let client: PostgresClient
    private let logger: Logger
    public let dialect = SQLDialect.postgres

    /// The URL it connects with, password masked (for logs).
    public let url: PostgresURL

    public init(url text: String, logger: Logger = Logger(label: "zhifu.postgres")) throws {
        do { url = try PostgresURL(text) } catch { throw StoreError.database(error.description) }
        client = PostgresClient(configuration: try url.clientConfiguration(), backgroundLogger: logger)
        self.logger = logger
    }

    public func run() async throws {
        await client.run()
    }

    /// One connection of its own and `SELECT 1`: the pool keeps retrying a database it cannot
    /// reach and only logs why; this says why (TLS refused, wrong password, no route).
    public func probe() async throws {
        do {
            let connection = try await PostgresConnection.connect(configuration: try url.connectionConfiguration(), id: 0, logger: logger)
            defer { Task { try? await connection.close() } }
            _ = try await connection.query("SELECT 1", logger: logger)
        } catch {
            throw Self.storeError(error)
        }
    }

    /// How long a unit of work may take, retries included (``Deadline``): 30 s, or the URL's
    /// `statement_timeout` plus 10 s when that is longer.
    var unitDeadlineSeconds: Int { max(30, (url.statementTimeoutMilliseconds ?? 0) / 1000 + 10) }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) async throws -> T) async throws -> T {
        try await write(deadlineSeconds: unitDeadlineSeconds, body)
    }

    private func write<T: Sendable>(deadlineSeconds: Int, _ body: @escaping @Sendable (any SQLConnection) async throws -> T) async throws -> T {
        try await Deadline.run(seconds: deadlineSeconds) { try await self.writeUnbounded(body) }
    }

    private func writeUnbounded<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await client.withTransaction(logger: logger) { connection in
                    try await body(PostgresSQLConnection(connection: connection, logger: logger))
                }
            } catch let error as PostgresTransactionError {
                let cause = error.closureError ?? error.commitError ?? error.beginError
                if Self.isRetryable(cause), attempt < 5 { continue }
                throw Self.storeError(cause ?? error)
            } catch {
                throw Self.storeError(error)
            }
        }
    }

    /// Without BEGIN and COMMIT: PostgreSQL runs a lone statement in a transaction of its own.
    public func writeStatement(_ sql: SQL) async throws -> [SQLRow] {
        try await Deadline.run(seconds: unitDeadlineSeconds) {
            var attempt = 0
            while true {
                attempt += 1
                do {
                    return try await self.client.withConnection { connection in
                        try await PostgresSQLConnection(connection: connection, logger: self.logger).fetchAll(sql)
                    }
                } catch {
                    if Self.isRetryable(error), attempt < 5 { continue }
                    throw Self.storeError(error)
                }
            }
        }
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) async throws -> T) async throws -> T {
        try await Deadline.run(seconds: unitDeadlineSeconds) {
            do {
                return try await self.client.withConnection { connection in
                    try await body(PostgresSQLConnection(connection: connection, logger: self.logger))
                }
            } catch {
                throw Self.storeError(error)
            }
        }
    }

    /// Deadlock (40P01) or serialisation failure (40001): the transaction may succeed if run again.
    static func isRetryable(_ error: (any Error)?) -> Bool {
        guard let error = error as? PSQLError else { return false }
        return ["40P01", "40001"].contains(error.serverInfo?[.sqlState])
    }

    static func storeError(_ error: any Error) -> any Error {
        guard let error = error as? PSQLError else { return error }
        let state = error.serverInfo?[.sqlState] ?? ""
        // Without a server message (no connection, TLS refused) the underlying error says why.
        let message = error.serverInfo?[.message] ?? error.underlying.map { "\(error.code): \(String(describing: $0))" } ?? "\(error.code)"
        switch state {
        case "ZR001": return SQLRefusal(reason: error.serverInfo?[.message] ?? "")
        case "23505": return StoreError.duplicate(message)
        case "23514", "23502", "23503", "P0001": return StoreError.constraint(message)
        default: return StoreError.database(state.isEmpty ? message : "\(state) \(message)")
        }
    }

    /// Applies each migration in its own transaction under an advisory lock, so that nodes starting
    /// together do not race, and records it in `schema_migrations`. A step may wait behind other
    /// nodes' steps and runs DDL on a server that may be busy, so it gets five minutes (or the
    /// unit deadline, if longer), not a request's 30 s: a node that gave up would not start.
    public func migrate(_ migrations: [Migration]) async throws {
        for migration in migrations {
            _ = try await write(deadlineSeconds: max(unitDeadlineSeconds, 300)) { db in
                try await db.execute("SELECT pg_advisory_xact_lock(20880001)")
                try await db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
                guard try await db.fetchAll("SELECT 1 FROM schema_migrations WHERE name = \(migration.name)").isEmpty else { return false }
                for statement in migration.postgres { try await db.execute("\(unescaped: statement)") }
                try await db.execute("INSERT INTO schema_migrations (name) VALUES (\(migration.name))")
                return true
            }
        }
    }

    public func schema() async throws -> Schema {
        try await read { db in
            var tables: [String: [Schema.Column]] = [:], uniqueKeys: [String: Set<[String]>] = [:]
            for column in try await db.fetchAll(ColumnRecord.self, """
                SELECT table_name, column_name, is_nullable FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name <> 'schema_migrations'
                """) {
                tables[column.tableName, default: []].append(Schema.Column(name: column.columnName, nullable: column.isNullable == "YES"))
            }
            for table in tables.keys { tables[table]?.sort() }
            var indexColumns: [String: (table: String, columns: [String])] = [:]
            for key in try await db.fetchAll(UniqueKeyRecord.self, """
                SELECT t.relname AS table_name, i.relname AS index_name, a.attname AS column_name
                FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid
                JOIN pg_namespace n ON n.oid = t.relnamespace JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(x.indkey)
                WHERE x.indisunique AND n.nspname = current_schema() AND t.relname <> 'schema_migrations'
                """) {
                indexColumns[key.indexName, default: (key.tableName, [])].columns.append(key.columnName)
            }
            for (table, columns) in indexColumns.values { uniqueKeys[table, default: []].insert(columns.sorted()) }
            return Schema(tables: tables, uniqueKeys: uniqueKeys)
        }
    }

    public func close() async throws {}
}

private struct ColumnRecord: SQLRecord {
    var tableName: String
    var columnName: String
    var isNullable: String

    init(row: SQLRow) throws {
        tableName = try row["table_name"]
        columnName = try row["column_name"]
        isNullable = try row["is_nullable"]
    }
}

private struct UniqueKeyRecord: SQLRecord {
    var tableName: String
    var indexName: String
    var columnName: String

    init(row: SQLRow) throws {
        tableName = try row["table_name"]
        indexName = try row["index_name"]
        columnName = try row["column_name"]
    }
}

/// Statements on one pooled connection, with `$1`-style placeholders and the values bound with
/// their PostgreSQL types.
struct PostgresSQLConnection: SQLConnection {
    let connection: PostgresConnection
    let logger: Logger
    var dialect: SQLDialect { .postgres }

    func execute(_ sql: SQL) async throws -> Int {
        try await run(sql).metadata.rows ?? 0
    }

    func fetchAll(_ sql: SQL) async throws -> [SQLRow] {
        let rows = sql.isPrepared ? try await runPrepared(sql) : try await run(sql).rows
        guard let first = rows.first else { return [] }
        let columns = SQLColumns(first.map(\.columnName))
        return try rows.map { row in SQLRow(columns: columns, values: try row.map(Self.value)) }
    }

    /// The rows and the command tag (which says how many rows an UPDATE changed).
    private func run(_ sql: SQL) async throws -> PostgresQueryResult {
        let result: EventLoopFuture<PostgresQueryResult> = connection.query(try query(sql), logger: logger)
        return try await result.get()
    }

    private func runPrepared(_ sql: SQL) async throws -> [PostgresRow] {
        let types: [PostgresDataType] = sql.bindings.map { value in
            switch value {
            case .null: .null
            case .integer: .int8
            case .text: .text
            case .bool: .bool
            }
        }
        return try await PreparedSQL.run(sql.text(numberedPlaceholders: true), types: types, bindings: try query(sql).binds,
                                         on: connection, logger: logger)
    }

    private func query(_ sql: SQL) throws -> PostgresQuery {
        var bindings = PostgresBindings(capacity: sql.bindings.count)
        for value in sql.bindings {
            switch value {
            case .null: bindings.appendNull()
            case .integer(let number): bindings.append(number)
            case .text(let text): bindings.append(text)
            case .bool(let flag): bindings.append(flag)
            }
        }
        return PostgresQuery(unsafeSQL: sql.text(numberedPlaceholders: true), binds: bindings)
    }

    private static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2: return .integer(Int64(try cell.decode(Int16.self)))
        case .int4: return .integer(Int64(try cell.decode(Int32.self)))
        case .int8: return .integer(try cell.decode(Int64.self))
        case .bool: return .bool(try cell.decode(Bool.self))
        case .numeric:
            let text = try cell.decode(String.self)
            return Int64(text).map(SQLValue.integer) ?? .text(text)
        default: return .text(try cell.decode(String.self))
        }
    }
}
