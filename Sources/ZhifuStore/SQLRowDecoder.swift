import Foundation
import ZhifuCore
import ZhifuProtocol

/// Decodes a row into a `Decodable` record by column name: the property `failedPasswordAttempts`
/// reads the column `failed_password_attempts`. A missing column, a NULL where a value is needed,
/// a value of the wrong type or one the type refuses (an unknown status) is
/// ``StoreError/corrupt(_:)``, never a default. `Date` reads milliseconds, `Amount` reads fen.
public enum SQLRowDecoder {
    public static func decode<Record: Decodable>(_ type: Record.Type, from row: SQLRow) throws -> Record {
        do {
            return try Record(from: RowDecoder(row: row))
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.corrupt("\(Record.self): \(error)")
        }
    }

    /// One column of the row as `Value`.
    public static func decode<Value: Decodable>(_ type: Value.Type, column: String, from row: SQLRow) throws -> Value {
        do {
            return try ValueDecoder.decode(Value.self, row[column] ?? .null, column: column)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.corrupt("\(column): \(error)")
        }
    }

    /// `failedPasswordAttempts` → `failed_password_attempts`.
    static func columnName(_ key: String) -> String {
        var name = ""
        for character in key {
            if character.isUppercase { name += "_" + character.lowercased() } else { name.append(character) }
        }
        return name
    }
}

private struct RowDecoder: Decoder {
    let row: SQLRow
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Columns(row: row))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw StoreError.corrupt("a row is not a list") }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { throw StoreError.corrupt("a row is not one value") }
}

private struct Columns<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let row: SQLRow
    var codingPath: [any CodingKey] = []
    var allKeys: [Key] { row.columns.compactMap { Key(stringValue: $0) } }

    func value(_ key: Key) throws -> (SQLValue, String) {
        let column = SQLRowDecoder.columnName(key.stringValue)
        guard let value = row[column] else { throw StoreError.corrupt("no column \(column)") }
        return (value, column)
    }

    func contains(_ key: Key) -> Bool { row[SQLRowDecoder.columnName(key.stringValue)] != nil }
    func decodeNil(forKey key: Key) throws -> Bool { try value(key).0 == .null }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let (value, column) = try value(key)
        return try ValueDecoder.decode(T.self, value, column: column)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        throw StoreError.corrupt("nested value in column \(key.stringValue)")
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw StoreError.corrupt("nested list in column \(key.stringValue)")
    }
    func superDecoder() throws -> any Decoder { throw StoreError.corrupt("super decoder") }
    func superDecoder(forKey key: Key) throws -> any Decoder { throw StoreError.corrupt("super decoder") }
}

/// One column's value, for the types a record holds and any `Decodable` built on one of them
/// (`UserId`, status enums).
private struct ValueDecoder: Decoder, SingleValueDecodingContainer {
    let value: SQLValue
    let column: String
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]

    static func decode<T: Decodable>(_ type: T.Type, _ value: SQLValue, column: String) throws -> T {
        let decoder = ValueDecoder(value: value, column: column)
        if T.self == Date.self { return SQLTime.date(try decoder.decode(Int64.self)) as! T }
        if T.self == Amount.self { return Amount(fen: try decoder.decode(Int64.self)) as! T }
        do {
            return try T(from: decoder)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.corrupt("column \(column): \(error)")
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> { throw mismatch("an object") }
    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw mismatch("a list") }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func mismatch(_ wanted: String) -> StoreError { .corrupt("column \(column) holds \(value), not \(wanted)") }

    func decodeNil() -> Bool { value == .null }

    func decode(_ type: String.Type) throws -> String {
        guard case .text(let text) = value else { throw mismatch("text") }
        return text
    }

    func decode(_ type: Int64.Type) throws -> Int64 {
        guard case .integer(let number) = value else { throw mismatch("an integer") }
        return number
    }

    func decode(_ type: Bool.Type) throws -> Bool {
        switch value {
        case .bool(let flag): return flag
        case .integer(0): return false
        case .integer(1): return true
        default: throw mismatch("a boolean")
        }
    }

    func decode(_ type: Int.Type) throws -> Int { try narrow(Int.self) }
    func decode(_ type: Int32.Type) throws -> Int32 { try narrow(Int32.self) }
    func decode(_ type: Int8.Type) throws -> Int8 { try narrow(Int8.self) }
    func decode(_ type: Int16.Type) throws -> Int16 { try narrow(Int16.self) }
    func decode(_ type: UInt.Type) throws -> UInt { try narrow(UInt.self) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try narrow(UInt8.self) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try narrow(UInt16.self) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try narrow(UInt32.self) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try narrow(UInt64.self) }
    func decode(_ type: Double.Type) throws -> Double { throw mismatch("a double") }
    func decode(_ type: Float.Type) throws -> Float { throw mismatch("a float") }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try ValueDecoder.decode(T.self, value, column: column) }

    private func narrow<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard let number = T(exactly: try decode(Int64.self)) else { throw mismatch("a \(T.self)") }
        return number
    }
}
