import Foundation
import ZhifuCore
import ZhifuProtocol

/// A value bound to a statement parameter. Dates are stored as milliseconds since 1970, money as
/// fen: both INTEGER (SQLite) or BIGINT (PostgreSQL).
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case text(String)
    case bool(Bool)
}

/// What may be interpolated into an ``SQL`` statement as a bound parameter (never as text).
public protocol SQLBindable {
    var sqlValue: SQLValue { get }
}

extension String: SQLBindable { public var sqlValue: SQLValue { .text(self) } }
extension Int64: SQLBindable { public var sqlValue: SQLValue { .integer(self) } }
extension Int: SQLBindable { public var sqlValue: SQLValue { .integer(Int64(self)) } }
extension Bool: SQLBindable { public var sqlValue: SQLValue { .bool(self) } }
extension UserId: SQLBindable { public var sqlValue: SQLValue { .text(rawValue) } }
extension Amount: SQLBindable { public var sqlValue: SQLValue { .integer(fen) } }
extension Date: SQLBindable { public var sqlValue: SQLValue { .integer(SQLTime.milliseconds(self)) } }
extension SQLValue: SQLBindable { public var sqlValue: SQLValue { self } }
extension Optional: SQLBindable where Wrapped: SQLBindable {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}
/// Status enums and the like are stored as their raw value; they are bound and read through
/// ``SQLColumnValue`` (SQLRecord.swift), which lists them once.
extension RawRepresentable where RawValue == String {
    public var sqlValue: SQLValue { .text(rawValue) }
}

public enum SQLTime {
    public static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    public static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000) }
}

/// One statement written once for both databases: literal SQL with every interpolated value bound
/// as a parameter. Each database renders the placeholders its own way (`?` or `$1`).
public struct SQL: Sendable, ExpressibleByStringInterpolation {
    /// Literal text around the parameters: `fragments.count == bindings.count + 1`.
    public private(set) var fragments: [String]
    public private(set) var bindings: [SQLValue]
    /// Run by name (PostgreSQL): parsed once per connection, and planned once the server's generic
    /// plan holds. For a hot statement whose text takes few shapes, never one whose text grows with
    /// its input: each shape is a statement every connection keeps. ``SQL/prepared()``.
    public private(set) var isPrepared = false

    public init(stringLiteral value: String) {
        fragments = [value]
        bindings = []
    }

    public init(stringInterpolation: StringInterpolation) {
        fragments = stringInterpolation.fragments + [stringInterpolation.current]
        bindings = stringInterpolation.bindings
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var fragments: [String] = []
        var bindings: [SQLValue] = []
        var current = ""

        public init(literalCapacity: Int, interpolationCount: Int) {}

        public mutating func appendLiteral(_ literal: String) { current += literal }

        public mutating func appendInterpolation(_ value: some SQLBindable) {
            fragments.append(current)
            current = ""
            bindings.append(value.sqlValue)
        }

        /// NULL when absent.
        public mutating func appendInterpolation<Value: SQLBindable>(_ value: Value?) {
            appendInterpolation(value.sqlValue)
        }

        /// A fragment built apart (a condition used twice), its bindings kept in order.
        public mutating func appendInterpolation(_ fragment: SQL) {
            current += fragment.fragments[0]
            for (binding, text) in zip(fragment.bindings, fragment.fragments.dropFirst()) {
                fragments.append(current)
                bindings.append(binding)
                current = text
            }
        }

        /// Text spliced into the statement as it is: only for the code's own constants (a
        /// dialect's clause, a column list), never for a value from outside.
        public mutating func appendInterpolation(unescaped text: String) { current += text }
    }

    /// The statement with numbered (`$1`) or anonymous (`?`) placeholders.
    public func text(numberedPlaceholders: Bool) -> String {
        var text = fragments[0]
        for index in bindings.indices {
            text += numberedPlaceholders ? "$\(index + 1)" : "?"
            text += fragments[index + 1]
        }
        return text
    }
}

/// Where the two databases' SQL differs; everything else is written once.
public struct SQLDialect: Sendable {
    public var name: String
    /// Appended to a SELECT that reads rows the transaction will change: `FOR NO KEY UPDATE` where rows
    /// lock (PostgreSQL), nothing where the whole database has one writer (SQLite).
    public var lockRows: String
    /// The same for a queue that several nodes take from at once.
    public var lockRowsSkippingLocked: String
    /// Whether the ledger lives in server-side functions: a transfer posted by `zhifu_post_transfer`
    /// in one round trip (migration v19), its credit kept as an entry and accounts locked for a
    /// decision by `zhifu_lock_accounts` (v20), and a trade's change sent as one statement judged by
    /// `zhifu_trade_change` (v21), rather than statement by statement.
    public var postsOnServer: Bool
    /// Whether writes to several tables can go as one statement (`WITH … AS (INSERT …) UPDATE …`),
    /// a transaction of its own: one round trip instead of BEGIN, each write, and COMMIT.
    public var writesInWith: Bool

    public init(name: String, lockRows: String, lockRowsSkippingLocked: String, postsOnServer: Bool = false, writesInWith: Bool = false) {
        self.name = name; self.lockRows = lockRows; self.lockRowsSkippingLocked = lockRowsSkippingLocked
        self.postsOnServer = postsOnServer; self.writesInWith = writesInWith
    }
}

/// A row as the database returned it, read by column name.
public struct SQLRow: Sendable {
    public var columns: SQLColumns
    public var values: [SQLValue]

    public init(columns: SQLColumns, values: [SQLValue]) {
        self.columns = columns; self.values = values
    }

    /// The value of the column `name` (`failed_password_attempts`).
    public subscript(column name: String) -> SQLValue? {
        columns.position(ofColumn: name).map { values[$0] }
    }

}

/// The columns of a result, indexed once for all its rows.
public struct SQLColumns: Sendable {
    public let names: [String]
    private let positions: [String: Int]

    public init(_ names: [String]) {
        self.names = names
        positions = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// A linear scan for the usual handful of columns: comparing short names costs less than
    /// hashing one, and every row's every column is looked up by name.
    func position(ofColumn name: String) -> Int? {
        guard names.count <= 16 else { return positions[name] }
        return names.firstIndex(of: name)
    }
}

extension SQLDialect {
    public static let sqlite = SQLDialect(name: "sqlite", lockRows: "", lockRowsSkippingLocked: "")
    /// `NO KEY UPDATE`: the rows' keys never change, and a plain `FOR UPDATE` would also wait for
    /// the key-share locks every foreign-key check takes (inserting a trade that names the buyer),
    /// which deadlocked two payments of one buyer racing across nodes.
    public static let postgres = SQLDialect(name: "postgres", lockRows: " FOR NO KEY UPDATE", lockRowsSkippingLocked: " FOR NO KEY UPDATE SKIP LOCKED",
                                           postsOnServer: true, writesInWith: true)
}

extension SQL {
    /// The statement marked to be prepared where the database prepares statements (PostgreSQL,
    /// through `fetchAll` and `writeStatement`; `execute`, which counts rows, sends it unnamed);
    /// SQLite runs it as any other.
    public func prepared() -> SQL {
        var sql = self
        sql.isPrepared = true
        return sql
    }

    /// Appends another statement's text and bindings (a condition built apart).
    public mutating func append(_ other: SQL) {
        fragments[fragments.count - 1] += other.fragments[0]
        fragments += other.fragments.dropFirst()
        bindings += other.bindings
    }
}
