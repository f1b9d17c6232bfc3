import Foundation

/// `biz_content`: a JSON object whose top-level members methods read as text. Strings are taken
/// as they are; numbers (`"total_amount": 88.88`, which Alipay accepts) as the literal the merchant
/// wrote, never through a Double; nested objects and arrays as their JSON text.
public enum BizContent {
    public enum Failure: Error, Equatable {
        /// Not a JSON object.
        case notAnObject
        /// A number in exponent form (`1e2`), which no Alipay field takes.
        case exponent(field: String)
    }

    public static func parse(_ text: String) throws(Failure) -> [String: String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { throw .notAnObject }
        let literals = topLevelNumberLiterals(Array(text.utf8))
        var fields: [String: String] = [:]
        for (key, value) in object {
            switch value {
            case let text as String:
                fields[key] = text
            case is NSNull:
                break
            case is NSNumber where literals[key] != nil:
                let literal = literals[key]!
                guard !literal.contains(where: { $0 == "e" || $0 == "E" }) else { throw .exponent(field: key) }
                fields[key] = literal
            default:
                guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed]) else { continue }
                fields[key] = String(decoding: data, as: UTF8.self)
            }
        }
        return fields
    }

    /// The literal text of each number that is a direct member of the top-level object, by key.
    /// Keys are compared as JSON decodes them only when they need no unescaping (Alipay's never do).
    static func topLevelNumberLiterals(_ bytes: [UInt8]) -> [String: String] {
        var literals: [String: String] = [:]
        var depth = 0, index = 0
        var lastKey: String?, expectingValue = false
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                let start = index + 1
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") { index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1 }
                if depth == 1, !expectingValue { lastKey = String(decoding: bytes[start..<min(index, bytes.count)], as: UTF8.self) }
                expectingValue = false
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1; expectingValue = false
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            case UInt8(ascii: ":"):
                expectingValue = depth == 1
            case UInt8(ascii: ","):
                expectingValue = false
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let start = index
                while index + 1 < bytes.count, Self.numberBytes.contains(bytes[index + 1]) { index += 1 }
                if depth == 1, expectingValue, let key = lastKey {
                    literals[key] = String(decoding: bytes[start...index], as: UTF8.self)
                }
                expectingValue = false
            default:
                break
            }
            index += 1
        }
        return literals
    }

    private static let numberBytes = Set("-+.eE0123456789".utf8)
}
