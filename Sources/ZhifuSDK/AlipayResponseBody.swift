import ZhifuProtocol

/// An OpenAPI answer as Alipay writes it, `{"<method>_response":{…},"sign":"…"}`, read over its
/// exact bytes: the signature covers the response object's text as sent (with `\/`, escaped
/// braces, GBK bytes), so the object is cut out of the body, never re-serialised.
public struct AlipayResponseBody: Sendable {
    /// The response object's bytes, exactly as they stand in the body.
    public var object: [UInt8]
    /// The `sign` value, if the answer carries one.
    public var sign: String?
    /// `<method>_response`, or `error_response` when the gateway refused the request as a whole.
    public var key: String

    public enum Failure: Error, Equatable, Sendable {
        /// No `<method>_response` or `error_response` object in the body.
        case noResponseObject
        /// The signature does not match the response object's bytes.
        case invalidSignature
        /// A successful answer without a signature.
        case unsigned
    }

    /// Cuts the response object of `method` (or `error_response`) and the `sign` out of `body`.
    public init(_ body: [UInt8], method: String) throws(Failure) {
        for key in [OpenAPIResponse.key(method: method), OpenAPIResponse.key(method: nil)] {
            guard let start = Self.value(of: key, in: body), let end = Self.endOfObject(body, from: start) else { continue }
            self.key = key
            object = Array(body[start..<end])
            sign = Self.value(of: "sign", in: body, after: end).flatMap { Self.string(body, from: $0) }
            return
        }
        throw .noResponseObject
    }

    /// Checks the signature over the object's bytes; an unsigned refusal (`error_response`, some
    /// 20000s) passes, an unsigned success does not.
    public func verify(with verifier: any Verifier, isSuccess: Bool) throws(Failure) {
        guard let sign else {
            if isSuccess { throw .unsigned }
            return
        }
        guard verifier.isValidSignature(sign, for: object) else { throw .invalidSignature }
    }

    /// Where the value of `"name":` starts, searching from `from`.
    static func value(of name: String, in body: [UInt8], after from: Int = 0) -> Int? {
        let needle = Array("\"\(name)\"".utf8)
        guard body.count >= needle.count else { return nil }
        var index = from
        while index + needle.count <= body.count {
            if body[index..<index + needle.count].elementsEqual(needle) {
                var cursor = index + needle.count
                while cursor < body.count, body[cursor] == UInt8(ascii: " ") { cursor += 1 }
                if cursor < body.count, body[cursor] == UInt8(ascii: ":") {
                    cursor += 1
                    while cursor < body.count, body[cursor] == UInt8(ascii: " ") { cursor += 1 }
                    return cursor
                }
            }
            index += 1
        }
        return nil
    }

    /// The index just past the object that starts at `start` (strings and escapes respected).
    static func endOfObject(_ body: [UInt8], from start: Int) -> Int? {
        guard start < body.count, body[start] == UInt8(ascii: "{") else { return nil }
        var depth = 0, index = start, inString = false
        while index < body.count {
            let byte = body[index]
            if inString {
                if byte == UInt8(ascii: "\\") { index += 1 } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "{") {
                depth += 1
            } else if byte == UInt8(ascii: "}") {
                depth -= 1
                if depth == 0 { return index + 1 }
            }
            index += 1
        }
        return nil
    }

    /// The JSON string starting at `start` (a quote), unescaped (`\/` in base64 signatures).
    static func string(_ body: [UInt8], from start: Int) -> String? {
        guard start < body.count, body[start] == UInt8(ascii: "\"") else { return nil }
        var output: [UInt8] = [], index = start + 1
        while index < body.count {
            let byte = body[index]
            if byte == UInt8(ascii: "\"") { return String(decoding: output, as: UTF8.self) }
            if byte == UInt8(ascii: "\\"), index + 1 < body.count {
                index += 1
                output.append(body[index] == UInt8(ascii: "n") ? UInt8(ascii: "\n") : body[index])
            } else {
                output.append(byte)
            }
            index += 1
        }
        return nil
    }
}
