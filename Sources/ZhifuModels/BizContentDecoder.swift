import Foundation
import ZhifuProtocol

/// A method's `biz_content` as one Codable type. The gateway decodes it with ``BizContentDecoder``;
/// ZhifuSDK encodes it with `JSONEncoder` (`convertToSnakeCase`), so both read the same names.
public protocol BizContentModel: Codable, Sendable {
    /// The longest text each top-level field takes, in characters, as Alipay documents it (snake_case
    /// names). A field not listed takes at most ``BizContentDecoder/defaultMaxLength``.
    static var maxLengths: [String: Int] { get }
}

/// Why a `biz_content` did not decode: the gateway answers ACQ.INVALID_PARAMETER naming the field.
public enum BizContentError: Error, Equatable, Sendable {
    /// A required field absent or empty.
    case missing(String)
    /// A field present but not what its type takes (too long, not an amount, an unknown value, bad JSON).
    case invalid(String)
}

/// Decodes a ``BizContentModel`` from ``BizContent/parse(_:)``'s fields. Property names are the
/// camelCase of the wire's snake_case names. An empty text counts as absent, as Alipay reads it.
/// Amounts are read from the merchant's literal (a string or a number), never through a Double;
/// nested objects and arrays are decoded from their JSON text into their own types.
public enum BizContentDecoder {
    /// Alipay's usual String(256).
    public static let defaultMaxLength = 256

    public static func decode<Model: BizContentModel>(_ type: Model.Type, from fields: [String: String]) throws(BizContentError) -> Model {
        do {
            return try Model(from: FieldsDecoder(fields: fields, maxLengths: Model.maxLengths))
        } catch let error as BizContentError {
            throw error
        } catch let DecodingError.keyNotFound(key, _) {
            throw .missing(WireName.snake(key.stringValue))
        } catch let error as DecodingError {
            throw .invalid(error.fieldName ?? "biz_content")
        } catch {
            throw .invalid("biz_content")
        }
    }
}

/// camelCase ⇄ snake_case, the rule `JSONEncoder.KeyEncodingStrategy.convertToSnakeCase` applies to
/// Zhifu's model names (lower-case words, no acronyms or digits).
public enum WireName {
    /// Byte by byte: the names are Swift property names in ASCII, and this runs for every field of
    /// every request and response (the `Character` version was 4 % of `alipay.trade.pay`'s profile,
    /// most of it Unicode property look-ups; issue 17).
    public static func snake(_ name: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(name.utf8.count + 4)
        for byte in name.utf8 {
            if (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) {
                bytes.append(UInt8(ascii: "_"))
                bytes.append(byte + 0x20)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension DecodingError {
    /// The first key of the failing path, in wire form.
    var fieldName: String? {
        let path: [any CodingKey] = switch self {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context): context.codingPath
        case .keyNotFound(let key, let context): context.codingPath + [key]
        @unknown default: []
        }
        return path.first.map { WireName.snake($0.stringValue) }
    }
}

/// The top level of biz_content: each field is text.
private struct FieldsDecoder: Decoder {
    let fields: [String: String]
    let maxLengths: [String: Int]
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(FieldsContainer<Key>(decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([Any].self, .init(codingPath: [], debugDescription: "biz_content is an object"))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        throw DecodingError.typeMismatch(String.self, .init(codingPath: [], debugDescription: "biz_content is an object"))
    }
}

private struct FieldsContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: FieldsDecoder
    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] { [] }

    /// The field's text within its length, or nil when absent or empty.
    func text(_ key: Key) throws -> String? {
        let name = WireName.snake(key.stringValue)
        guard let text = decoder.fields[name], !text.isEmpty else { return nil }
        guard text.count <= decoder.maxLengths[name] ?? BizContentDecoder.defaultMaxLength else { throw BizContentError.invalid(name) }
        return text
    }

    func required(_ key: Key) throws -> String {
        guard let text = try text(key) else { throw BizContentError.missing(WireName.snake(key.stringValue)) }
        return text
    }

    func contains(_ key: Key) -> Bool { decoder.fields[WireName.snake(key.stringValue)].map { !$0.isEmpty } ?? false }
    func decodeNil(forKey key: Key) throws -> Bool { !contains(key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try required(key) }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        switch try required(key) {
        case "true": true
        case "false": false
        default: throw BizContentError.invalid(WireName.snake(key.stringValue))
        }
    }

    func integer<T: FixedWidthInteger>(_ key: Key) throws -> T {
        guard let value = T(try required(key)) else { throw BizContentError.invalid(WireName.snake(key.stringValue)) }
        return value
    }

    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try integer(key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try integer(key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try integer(key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try integer(key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try integer(key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try integer(key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try integer(key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try integer(key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try integer(key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try integer(key) }

    /// No Alipay field is a binary floating-point number: money is never read through one.
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { throw BizContentError.invalid(WireName.snake(key.stringValue)) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { throw BizContentError.invalid(WireName.snake(key.stringValue)) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let name = WireName.snake(key.stringValue)
        let text = try required(key)
        if T.self == Amount.self {
            guard text.count <= Amount.maximumTextLength, let amount = Amount(text) else { throw BizContentError.invalid(name) }
            return amount as! T
        }
        do {
            return try T(from: TextDecoder(text: text, key: key))
        } catch is TextDecoder.NeedsJSON {
            // An object or an array: its JSON text, into its own type.
            let json = JSONDecoder()
            json.keyDecodingStrategy = .convertFromSnakeCase
            do { return try json.decode(T.self, from: Data(text.utf8)) } catch { throw BizContentError.invalid(name) }
        } catch {
            throw BizContentError.invalid(name)
        }
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        throw BizContentError.invalid(WireName.snake(key.stringValue))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw BizContentError.invalid(WireName.snake(key.stringValue))
    }

    /// A model made of other models (`trade.pay` = the order + the payment code) reads the same fields.
    func superDecoder() throws -> any Decoder { decoder }
    func superDecoder(forKey key: Key) throws -> any Decoder { decoder }
}

/// One field's text as a single value (enums with String raw values, wrappers); asking it for an
/// object or an array means the text is JSON.
private struct TextDecoder: Decoder, SingleValueDecodingContainer {
    struct NeedsJSON: Error {}

    let text: String
    let key: any CodingKey
    var codingPath: [any CodingKey] { [key] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> { throw NeedsJSON() }
    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw NeedsJSON() }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { false }
    func decode(_ type: String.Type) throws -> String { text }
    func decode(_ type: Bool.Type) throws -> Bool { throw invalid }
    func decode(_ type: Double.Type) throws -> Double { throw invalid }
    func decode(_ type: Float.Type) throws -> Float { throw invalid }
    func decode(_ type: Int.Type) throws -> Int { throw invalid }
    func decode(_ type: Int8.Type) throws -> Int8 { throw invalid }
    func decode(_ type: Int16.Type) throws -> Int16 { throw invalid }
    func decode(_ type: Int32.Type) throws -> Int32 { throw invalid }
    func decode(_ type: Int64.Type) throws -> Int64 { throw invalid }
    func decode(_ type: UInt.Type) throws -> UInt { throw invalid }
    func decode(_ type: UInt8.Type) throws -> UInt8 { throw invalid }
    func decode(_ type: UInt16.Type) throws -> UInt16 { throw invalid }
    func decode(_ type: UInt32.Type) throws -> UInt32 { throw invalid }
    func decode(_ type: UInt64.Type) throws -> UInt64 { throw invalid }
    /// Wrappers of a number or a flag are not used by any model; only text is.
    var invalid: BizContentError { .invalid(WireName.snake(key.stringValue)) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        guard T.self == String.self else { throw invalid }
        return text as! T
    }
}
