/// Decoding and encoding of `application/x-www-form-urlencoded` parameter sets in a charset.
public enum FormCoding {
    /// Why a query string or form body could not be read.
    public enum DecodingError: Error, Equatable, Sendable {
        /// A `%` not followed by two hex digits.
        case malformedPercentEscape
        /// A parameter name that is empty or not ASCII.
        case malformedName
        /// The same name twice with different values.
        case duplicateParameter(String)
        /// The charset parameter names a charset Zhifu does not know.
        case unsupportedCharset(String)
        /// A value whose bytes are not valid in the request's charset.
        case invalidBytes(parameter: String, charset: Charset)
        /// More parameters or bytes than any Alipay request needs.
        case tooLarge
    }

    /// Upper bounds on what one request may carry. A 1000-record `detail_data` is about 150 KB.
    public static let maximumParameterCount = 200
    public static let maximumBytes = 4 << 20

    /// Splits `a=b&c=d` into raw (percent-decoded, not yet charset-decoded) pairs. `+` is a space.
    public static func rawPairs<Bytes: Collection<UInt8>>(_ encoded: Bytes) throws(DecodingError) -> [(String, [UInt8])] {
        if encoded.count > maximumBytes { throw .tooLarge }
        var pairs: [(String, [UInt8])] = []
        for field in encoded.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = field.firstIndex(of: UInt8(ascii: "="))
            let rawName = field[field.startIndex..<(equals ?? field.endIndex)]
            let rawValue = equals.map { field[field.index(after: $0)...] } ?? field[field.endIndex...]
            let nameBytes = try percentDecode(rawName)
            guard !nameBytes.isEmpty, nameBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw .malformedName }
            pairs.append((String(decoding: nameBytes, as: UTF8.self), try percentDecode(rawValue)))
            if pairs.count > maximumParameterCount { throw .tooLarge }
        }
        return pairs
    }

    /// Decodes percent escapes; `+` becomes a space.
    public static func percentDecode<Bytes: Collection<UInt8>>(_ bytes: Bytes) throws(DecodingError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                let first = bytes.index(after: index)
                guard first != bytes.endIndex else { throw .malformedPercentEscape }
                let second = bytes.index(after: first)
                guard second != bytes.endIndex, let high = hexValue(bytes[first]), let low = hexValue(bytes[second]) else {
                    throw .malformedPercentEscape
                }
                output.append(high << 4 | low)
                index = bytes.index(after: second)
            } else {
                output.append(byte == UInt8(ascii: "+") ? 0x20 : byte)
                index = bytes.index(after: index)
            }
        }
        return output
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Decodes a request made of a query string and a form body (either may be empty).
    ///
    /// The charset is named by the first of `charsetNames` present (`_input_charset`, `input_charset`,
    /// `charset`), looked for in both parts; without one, values are read as `defaultCharset`.
    /// An empty name is skipped, or refused as an unsupported charset when `refusingEmptyCharset`.
    /// A name repeated with the same value is accepted (a browser form whose action repeats a field);
    /// with a different value it is refused, because a signature can only cover one of them.
    public static func decode(
        query: some Collection<UInt8>,
        body: some Collection<UInt8>,
        charsetNames: [String] = ["_input_charset", "input_charset", "charset"],
        defaultCharset: Charset = .utf8,
        refusingEmptyCharset: Bool = false
    ) throws(DecodingError) -> (Parameters, Charset) {
        if query.count + body.count > maximumBytes { throw .tooLarge }
        // Arrays from here on: the generic entry is called across modules unspecialised, and the
        // byte loops below ran through generic collection witnesses (3 % of trade.pay's profile).
        let raw = try rawPairs(Array(query)) + rawPairs(Array(body))
        var charset = defaultCharset
        for name in charsetNames {
            if let value = raw.first(where: { $0.0 == name })?.1 {
                let label = String(decoding: value, as: UTF8.self)
                if label.isEmpty, !refusingEmptyCharset { continue }
                guard let named = Charset(name: label) else { throw .unsupportedCharset(label) }
                charset = named
                break
            }
        }
        var parameters = Parameters()
        for (name, bytes) in raw {
            guard let value = charset.decode(bytes) else { throw .invalidBytes(parameter: name, charset: charset) }
            if let existing = parameters[name] {
                if existing != value { throw .duplicateParameter(name) }
                continue
            }
            parameters[name] = value
        }
        return (parameters, charset)
    }

    /// Bytes left unescaped: RFC 3986 unreserved characters.
    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// Percent-encodes bytes (unreserved characters stay as they are).
    public static func percentEncode(_ bytes: [UInt8]) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 3)
        for byte in bytes {
            if isUnreserved(byte) {
                output.append(byte)
            } else {
                output += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Encodes parameters as a query string or form body in `charset`.
    /// Returns `nil` when a value has a character the charset cannot encode.
    public static func encode(_ parameters: Parameters, charset: Charset) -> String? {
        var fields: [String] = []
        for (name, value) in parameters {
            guard let bytes = charset.encode(value) else { return nil }
            fields.append(percentEncode(Array(name.utf8)) + "=" + percentEncode(bytes))
        }
        return fields.joined(separator: "&")
    }
}

extension FormCoding {
    /// One field's percent-decoded bytes as UTF-8, read even when other fields are malformed
    /// (to pick the protocol and the error format before the full decode).
    public static func rawField(_ name: String, in encoded: [UInt8]) -> String? {
        let prefix = Array((name + "=").utf8)
        for field in encoded.split(separator: UInt8(ascii: "&")) where field.starts(with: prefix) {
            return (try? percentDecode(field.dropFirst(prefix.count))).map { String(decoding: $0, as: UTF8.self) }
        }
        return nil
    }
}
