import Foundation
import GRDB
import NIOConcurrencyHelpers
import ZhifuCore
import ZhifuStore

/// The embedded store: one SQLite file in WAL mode through GRDB, one writer per process.
public typealias SQLiteStore = SQLStore<SQLiteDatabase>

extension SQLStore where Database == SQLiteDatabase {
    /// Opens (creating if needed) the database at `path`; `nil` opens a private in-memory database.
    public convenience init(path: String?) throws {
        self.init(database: try SQLiteDatabase(path: path))
    }
}

/// SQLite through GRDB. Durability: `synchronous = FULL`, so a committed transfer survives a crash
/// or power loss.
///
/// A unit of work runs inside one GRDB `write` (or `read`) on GRDB's own queue, and runs there to
/// the end without suspending: the shared repositories are `async` (PostgreSQL's statements are),
/// but every statement of ``SQLiteConnection`` completes synchronously, so the unit started with
/// `Task.immediate` finishes before `write` returns. One queue hop per transaction, as with GRDB
/// used directly, instead of one per statement.
public final class SQLiteDatabase: SQLDatabase {
    private let writer: any DatabaseWriter
    /// Result columns by statement text, shared by every connection.
    private let columnCache = NIOLockedValueBox<[String: SQLColumns]>([:])
    public let dialect = SQLDialect.sqlite

    /// Checkpoints the WAL beside the writer; `nil` for an in-memory database.
    private let checkpointer: SQLiteCheckpointer?

    /// `checkpointInterval`: units of work committed between two WAL checkpoints, made on a connection of their
    /// own (``SQLiteCheckpointer``); `nil` leaves them to SQLite's automatic one, inside a COMMIT.
    public init(path: String?, checkpointInterval: Int? = 64) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        let automatic = checkpointInterval == nil
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            if !automatic { try db.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
        }
        if let path {
            writer = try DatabasePool(path: path, configuration: configuration)
            checkpointer = try checkpointInterval.map { try SQLiteCheckpointer(path: path, configuration: configuration, interval: $0) }
        } else {
            writer = try DatabaseQueue(configuration: configuration)
            checkpointer = nil
        }
    }

    /// Units of work waiting for the writer (``SharedCommit``).
    private let waiting = SharedCommit.Waiting(SharedCommit.Queue())

    /// The unit runs in a savepoint of the next transaction the writer commits, with the units
    /// that arrived meanwhile (``SharedCommit``); its caller is answered once that has committed.
    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) async throws -> T) async throws -> T {
        let cache = columnCache, waiting = waiting, checkpointer = checkpointer
        return try await withCheckedThrowingContinuation { continuation in
            let outcome = Outcome<T>()
            let unit = SharedCommit.Unit(
                run: { db in outcome.result = .success(try Self.runToCompletion(body, on: SQLiteConnection(db: db, columnCache: cache))) },
                answer: { failure in
                    let result: Result<T, any Error> = failure.map { .failure($0) } ?? outcome.result ?? .failure(StoreError.database("a unit of work did not run"))
                    continuation.resume(with: result.mapError(Self.storeError))
                })
            if SharedCommit.enqueue(unit, in: waiting) {
                writer.asyncWriteWithoutTransaction { db in SharedCommit.commitWaiting(waiting, on: db, checkpointer: checkpointer) }
            }
        }
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) async throws -> T) async throws -> T {
        let cache = columnCache
        return try await mappingErrors { try await writer.read { db in try Self.runToCompletion(body, on: SQLiteConnection(db: db, columnCache: cache)) } }
    }

    /// Runs the unit of work on this thread, where GRDB allows `db` to be used.
    private static func runToCompletion<T>(_ body: @escaping @Sendable (any SQLConnection) async throws -> T, on connection: SQLiteConnection) throws -> T {
        let outcome = Outcome<T>()
        nonisolated(unsafe) let connection = connection
        Task.immediate {
            do { outcome.result = .success(try await body(connection)) } catch { outcome.result = .failure(error) }
        }
        guard let result = outcome.result else {
            preconditionFailure("a SQLite unit of work suspended; it may only await SQLConnection's statements")
        }
        return try result.get()
    }

    public func migrate(_ migrations: [Migration]) async throws {
        var migrator = DatabaseMigrator()
        for migration in migrations {
            migrator.registerMigration(migration.name) { db in
                for statement in migration.sqlite { try db.execute(sql: statement) }
            }
        }
        try await mappingErrors { try migrator.migrate(writer) }
    }

    public func schema() async throws -> Schema {
        try await writer.read { db in
            var tables: [String: [Schema.Column]] = [:], uniqueKeys: [String: Set<[String]>] = [:]
            let names = try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations'
                """)
            for table in names {
                let columns = try Row.fetchAll(db, sql: "SELECT name, \"notnull\", pk FROM pragma_table_info(?)", arguments: [table])
                tables[table] = columns.map { Schema.Column(name: $0["name"], nullable: $0["notnull"] == 0 && $0["pk"] == 0) }.sorted()
                var keys: Set<[String]> = []
                let primaryKey = columns.filter { ($0["pk"] as Int) > 0 }.map { $0["name"] as String }.sorted()
                if !primaryKey.isEmpty { keys.insert(primaryKey) }
                for index in try Row.fetchAll(db, sql: "SELECT name FROM pragma_index_list(?) WHERE \"unique\" = 1", arguments: [table]) {
                    keys.insert(try String.fetchAll(db, sql: "SELECT name FROM pragma_index_info(?)", arguments: [index["name"] as String]).sorted())
                }
                uniqueKeys[table] = keys
            }
            return Schema(tables: tables, uniqueKeys: uniqueKeys)
        }
    }

    public func probe() async throws {
        _ = try await read { try await $0.fetchAll("SELECT 1") }
    }

    public func close() async throws {
        try checkpointer?.close()
        if let pool = writer as? DatabasePool { try pool.close() }
    }

    /// GRDB's errors as the store's, so callers handle SQLite and PostgreSQL alike.
    private func mappingErrors<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch { throw Self.storeError(error) }
    }

    private static func storeError(_ error: any Error) -> any Error {
        guard let error = error as? DatabaseError else { return error }
        switch error.extendedResultCode {
        case .SQLITE_CONSTRAINT_UNIQUE, .SQLITE_CONSTRAINT_PRIMARYKEY: return StoreError.duplicate(error.message ?? "key")
        case .SQLITE_CONSTRAINT_CHECK, .SQLITE_CONSTRAINT_NOTNULL, .SQLITE_CONSTRAINT_FOREIGNKEY, .SQLITE_CONSTRAINT_TRIGGER:
            return StoreError.constraint(error.message ?? "constraint")
        default: return StoreError.database(error.description)
        }
    }
}

/// Where a unit of work leaves its result for the GRDB closure that started it.
private final class Outcome<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}

/// Statements on GRDB's connection, prepared once per connection and reused (a 1000-record batch
/// runs the same few statements thousands of times).
final class SQLiteConnection: SQLConnection {
    let db: Database
    let columnCache: NIOLockedValueBox<[String: SQLColumns]>
    var dialect: SQLDialect { .sqlite }

    init(db: Database, columnCache: NIOLockedValueBox<[String: SQLColumns]>) { self.db = db; self.columnCache = columnCache }

    func execute(_ sql: ZhifuStore.SQL) async throws -> Int {
        try statement(sql.text(numberedPlaceholders: false), sql.bindings).execute()
        return db.changesCount
    }

    func fetchAll(_ sql: ZhifuStore.SQL) async throws -> [SQLRow] {
        let text = sql.text(numberedPlaceholders: false)
        let statement = try statement(text, sql.bindings)
        // A cursor reads each row in place: no copy of the row before it becomes an SQLRow.
        let cursor = try Row.fetchCursor(statement)
        guard try cursor.next() != nil else { return [] }
        // Named once per statement text, like the statement itself.
        let columns = columnCache.withLockedValue { cache in
            if let columns = cache[text] { return columns }
            let columns = SQLColumns(statement.columnNames)
            cache[text] = columns
            return columns
        }
        let count = CInt(statement.columnCount)
        var rows = [SQLRow(columns: columns, values: Self.values(statement, count))]
        while try cursor.next() != nil { rows.append(SQLRow(columns: columns, values: Self.values(statement, count))) }
        return rows
    }

    /// The current row's values, read from the statement by position: `Row.databaseValues` also
    /// made each column's name into a String, row after row (a fifth of reading a 1000-record batch).
    private static func values(_ statement: Statement, _ count: CInt) -> [SQLValue] {
        (0..<count).map { index in
            switch DatabaseValue(sqliteStatement: statement.sqliteStatement, index: index).storage {
            case .null: .null
            case .int64(let number): .integer(number)
            case .double(let number): Int64(exactly: number).map(SQLValue.integer) ?? .text(String(number))
            case .string(let text): .text(text)
            case .blob(let data): .text(String(decoding: data, as: UTF8.self))
            }
        }
    }

    /// The cached statement with the values bound. An `SQL` has one placeholder per value by
    /// construction, so GRDB's argument check is skipped.
    private func statement(_ text: String, _ bindings: [SQLValue]) throws -> Statement {
        let statement = try db.cachedStatement(sql: text)
        let values = bindings.map { value -> (any DatabaseValueConvertible)? in
            switch value {
            case .null: nil
            case .integer(let number): number
            case .text(let text): text
            case .bool(let flag): flag ? 1 : 0
            }
        }
        let arguments = Self.arguments(values)
        assert((try? statement.validateArguments(arguments)) != nil, "placeholders and values differ in: \(text)")
        statement.setUncheckedArguments(arguments)
        return statement
    }

    /// GRDB's `StatementArguments(_:)` is generic and not specialised across modules (a witness
    /// call per value, a third of a posting's CPU in `zhifu-bench ledger`); its array-literal
    /// initialiser is concrete. Statements with up to eight values, most of them, take that path.
    private static func arguments(_ v: [(any DatabaseValueConvertible)?]) -> StatementArguments {
        switch v.count {
        case 0: StatementArguments()
        case 1: [v[0]]
        case 2: [v[0], v[1]]
        case 3: [v[0], v[1], v[2]]
        case 4: [v[0], v[1], v[2], v[3]]
        case 5: [v[0], v[1], v[2], v[3], v[4]]
        case 6: [v[0], v[1], v[2], v[3], v[4], v[5]]
        case 7: [v[0], v[1], v[2], v[3], v[4], v[5], v[6]]
        case 8: [v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]]
        default: StatementArguments(v)
        }
    }
}
