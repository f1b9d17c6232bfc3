import PostgresNIO
import Synchronization
import ZhifuStore

/// A statement marked ``ZhifuStore/SQL/prepared()``, run as a named prepared statement: PostgreSQL
/// parses it once per connection and, once its generic plan proves as good, stops planning it;
/// each later run sends only its values (Bind and Execute, no Parse). With the payment's two
/// statements prepared, the server's CPU per payment fell from 1.62 to 0.92 ms
/// (docs/benchmarks.md, issue 17).
///
/// postgres-nio 1.33 prepares only a type's static `sql` and `name`, read once, in the calling task,
/// when `PostgresConnection.execute(_:logger:)` sends the statement to its connection (which
/// prepares a name it has not seen). So this one type answers them from a task-local value that
/// `run` binds around that call. A name stands for one text with one list of parameter types, for
/// the life of the process: ``PreparedSQL/name(for:)`` numbers them.
struct PreparedSQL: PostgresPreparedStatement {
    struct Text: Sendable {
        var name = "", sql = "", types: [PostgresDataType] = []
    }

    @TaskLocal static var text = Text()
    static var name: String { text.name }
    static var sql: String { text.sql }
    static var bindingDataTypes: [PostgresDataType] { text.types }

    typealias Row = PostgresRow
    let bindings: PostgresBindings
    func makeBindings() -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) -> PostgresRow { row }

    /// Every shape prepared so far, text and parameter types → its number. A NULL is sent untyped
    /// (the server infers the column's type), so a NULL and a value in one place are two shapes.
    private static let names = Mutex<[String: String]>([:])

    static func name(for sql: String, types: [PostgresDataType]) -> String {
        let key = types.map { String($0.rawValue) }.joined(separator: ",") + "\n" + sql
        return names.withLock { names in
            if let name = names[key] { return name }
            let name = "zhifu_\(names.count + 1)"
            names[key] = name
            return name
        }
    }

    /// Runs the statement by name on `connection`, preparing it there first if it is new to it.
    static func run(_ sql: String, types: [PostgresDataType], bindings: PostgresBindings,
                    on connection: PostgresConnection, logger: Logger) async throws -> [PostgresRow] {
        let text = Text(name: name(for: sql, types: types), sql: sql, types: types)
        return try await $text.withValue(text) {
            var rows: [PostgresRow] = []
            for try await row in try await connection.execute(PreparedSQL(bindings: bindings), logger: logger) { rows.append(row) }
            return rows
        }
    }
}
