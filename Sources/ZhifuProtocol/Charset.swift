import CZhifuOpenSSL

/// A character set a request may name in `_input_charset` (MAPI) or `charset` (OpenAPI).
///
/// GBK and GB2312 are converted with glibc's iconv: Foundation on Linux has no GBK codec.
/// GB2312 is read and written as GBK, its superset, because Windows clients that say `gb2312`
/// send code page 936 (GBK) bytes.
public enum Charset: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    case gbk
    case gb2312
    case gb18030

    /// Accepts the spellings clients use: `utf-8`, `UTF-8`, `utf8`, `GBK`, `gb2312`, `GB18030`.
    public init?(name: String) {
        switch name.lowercased() {
        case "utf-8", "utf8": self = .utf8
        case "gbk", "cp936": self = .gbk
        case "gb2312": self = .gb2312
        case "gb18030": self = .gb18030
        default: return nil
        }
    }

    private var iconvName: String {
        switch self {
        case .utf8: "UTF-8"
        case .gbk, .gb2312: "GBK"
        case .gb18030: "GB18030"
        }
    }

    /// Decodes bytes in this charset; `nil` when they are not valid in it.
    public func decode<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String? {
        if self == .utf8 {
            let array = Array(bytes)
            return String(validating: array, as: UTF8.self)
        }
        guard let utf8 = Self.convert(Array(bytes), from: iconvName, to: "UTF-8") else { return nil }
        return String(validating: utf8, as: UTF8.self)
    }

    /// Encodes a string in this charset; `nil` when a character has no encoding in it.
    public func encode(_ string: String) -> [UInt8]? {
        if self == .utf8 { return Array(string.utf8) }
        return Self.convert(Array(string.utf8), from: "UTF-8", to: iconvName)
    }

    /// Encodes markup (HTML or XML) in this charset: a character the charset has no code for is
    /// written as a numeric character reference (`&#x1F600;`), which both languages read back.
    public func encodeMarkup(_ text: String) -> [UInt8] {
        if let bytes = encode(text) { return bytes }
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        for character in text {
            if let bytes = encode(String(character)) {
                output += bytes
            } else {
                for scalar in character.unicodeScalars { output += Array("&#x\(String(scalar.value, radix: 16, uppercase: true));".utf8) }
            }
        }
        return output
    }

    private static func convert(_ input: [UInt8], from: String, to: String) -> [UInt8]? {
        if input.isEmpty { return [] }
        var capacity = input.count * 2 + 8
        while true {
            var output = [UInt8](repeating: 0, count: capacity)
            let written = input.withUnsafeBufferPointer { inBuf in
                output.withUnsafeMutableBufferPointer { outBuf in
                    zf_iconv(from, to, inBuf.baseAddress, inBuf.count, outBuf.baseAddress, outBuf.count)
                }
            }
            if written >= 0 { return Array(output[..<Int(written)]) }
            if written == -2 { capacity *= 2; continue }
            return nil
        }
    }
}
