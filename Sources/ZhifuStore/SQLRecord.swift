import Foundation
import ZhifuCore
import ZhifuProtocol

/// A row type read by column name, as GRDB's `FetchableRecord` is: `init(row:)` reads each
/// property from its column (`failedPasswordAttempts = try row["failed_password_attempts"]`).
public protocol SQLRecord {
    init(row: SQLRow) throws
}

/// A Swift type stored in one column: bound as a parameter, and converted back from the column's
/// value. `nil` means the value is not one (a NULL where a value is needed, text where a number
/// is, a status the enum does not know).
public protocol SQLColumnValue: SQLBindable {
    static func fromSQL(_ value: SQLValue) -> Self?
}

extension SQLRow {
    /// The column's value as `Value`. A missing column or a value that does not convert is
    /// ``StoreError/corrupt(_:)``: a row that does not decode is an error, never a default.
    public subscript<Value: SQLColumnValue>(_ column: String) -> Value {
        get throws {
            guard let value = self[column: column] else { throw StoreError.corrupt("no column \(column)") }
            guard let converted = Value.fromSQL(value) else { throw StoreError.corrupt("column \(column) holds \(value), not \(Value.self)") }
            return converted
        }
    }
}

extension String: SQLColumnValue {
    public static func fromSQL(_ value: SQLValue) -> String? {
        if case .text(let text) = value { text } else { nil }
    }
}

extension Int64: SQLColumnValue {
    public static func fromSQL(_ value: SQLValue) -> Int64? {
        if case .integer(let number) = value { number } else { nil }
    }
}

extension Int: SQLColumnValue {
    public static func fromSQL(_ value: SQLValue) -> Int? { Int64.fromSQL(value).flatMap { Int(exactly: $0) } }
}

extension Bool: SQLColumnValue {
    /// PostgreSQL's BOOLEAN, or SQLite's 0 and 1.
    public static func fromSQL(_ value: SQLValue) -> Bool? {
        switch value {
        case .bool(let flag): flag
        case .integer(0): false
        case .integer(1): true
        default: nil
        }
    }
}

extension Date: SQLColumnValue {
    /// Milliseconds since 1970.
    public static func fromSQL(_ value: SQLValue) -> Date? { Int64.fromSQL(value).map(SQLTime.date) }
}

extension Amount: SQLColumnValue {
    /// Fen.
    public static func fromSQL(_ value: SQLValue) -> Amount? { Int64.fromSQL(value).map(Amount.init(fen:)) }
}

extension UserId: SQLColumnValue {
    public static func fromSQL(_ value: SQLValue) -> UserId? { String.fromSQL(value).flatMap(UserId.init) }
}

extension Optional: SQLColumnValue where Wrapped: SQLColumnValue {
    /// NULL is `nil`; any other value must convert.
    public static func fromSQL(_ value: SQLValue) -> Wrapped?? {
        if value == .null { return .some(nil) }
        return Wrapped.fromSQL(value).map { .some($0) }
    }
}

extension RawRepresentable where RawValue == String {
    public static func fromSQL(_ value: SQLValue) -> Self? { String.fromSQL(value).flatMap(Self.init(rawValue:)) }
}

extension AccountKind: SQLColumnValue {}
extension TransferCode: SQLColumnValue {}
extension TransferResult: SQLColumnValue {}
extension AccountStatus: SQLColumnValue {}
extension TradeStatus: SQLColumnValue {}
extension SignType: SQLColumnValue {}
extension Batch.Status: SQLColumnValue {}
extension BatchRecord.Status: SQLColumnValue {}
extension OutboxNotification.Status: SQLColumnValue {}
extension OutboxNotification.WireProtocol: SQLColumnValue {}

extension Charset: SQLColumnValue {
    /// Its name, with the aliases `Charset(name:)` knows.
    public static func fromSQL(_ value: SQLValue) -> Charset? { String.fromSQL(value).flatMap(Charset.init(name:)) }
}

extension SQLConnection {
    public func fetchAll<Record: SQLRecord>(_ type: Record.Type, _ sql: SQL) async throws -> [Record] {
        try await fetchAll(sql).map(Record.init(row:))
    }

    public func fetchOne<Record: SQLRecord>(_ type: Record.Type, _ sql: SQL) async throws -> Record? {
        try await fetchAll(sql).first.map(Record.init(row:))
    }

    /// The first column of the first row, if there is a row.
    public func fetchValue<Value: SQLColumnValue>(_ type: Value.Type, _ sql: SQL) async throws -> Value? {
        guard let row = try await fetchAll(sql).first, let column = row.columns.names.first else { return nil }
        return try row[column] as Value
    }
}
