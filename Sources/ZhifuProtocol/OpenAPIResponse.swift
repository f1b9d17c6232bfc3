/// A JSON value as OpenAPI responses carry them: strings, objects with ordered keys, arrays.
/// Alipay sends nearly every scalar as a string ("total_amount":"88.88"); the few its docs type
/// Boolean (advance.consult's `refer_result`) are JSON booleans.
public indirect enum OpenAPIJSON: Sendable, Equatable {
    case string(String)
    case object([(String, OpenAPIJSON)])
    case array([OpenAPIJSON])
    case bool(Bool)

    public static func == (lhs: OpenAPIJSON, rhs: OpenAPIJSON) -> Bool { lhs.rendered == rhs.rendered }

    /// Compact JSON as Alipay writes it: `/` as `\/`, and `{` `}` inside strings as `\u007b` `\u007d`
    /// (one popular SDK finds the response object by counting braces, strings or not). Other
    /// non-ASCII characters are written as they are (UTF-8).
    public var rendered: String {
        var output = ""
        render(into: &output)
        return output
    }

    func render(into output: inout String) {
        switch self {
        case .string(let text):
            output += "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": output += "\\\""
                case "\\": output += "\\\\"
                case "/": output += "\\/"
                case "{": output += "\\u007b"
                case "}": output += "\\u007d"
                case "\n": output += "\\n"
                case "\r": output += "\\r"
                case "\t": output += "\\t"
                default:
                    if scalar.value < 0x20 {
                        let hex = String(scalar.value, radix: 16)
                        output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        output.unicodeScalars.append(scalar)
                    }
                }
            }
            output += "\""
        case .object(let members):
            output += "{"
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { output += "," }
                OpenAPIJSON.string(key).render(into: &output)
                output += ":"
                value.render(into: &output)
            }
            output += "}"
        case .bool(let value):
            output += value ? "true" : "false"
        case .array(let items):
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += "," }
                item.render(into: &output)
            }
            output += "]"
        }
    }
}

/// The body of every OpenAPI answer: `{"<method with . as _>_response":{…},"sign":"…"}`, `sign`
/// right after the response object and computed over that object's exact bytes.
public enum OpenAPIResponse {
    /// `alipay.trade.query` → `alipay_trade_query_response`; unknown methods answer `error_response`.
    public static func key(method: String?) -> String {
        guard let method, !method.isEmpty else { return "error_response" }
        return String(method.map { $0 == "." ? "_" : $0 }) + "_response"
    }

    /// A success (code 10000) with the method's fields.
    public static func success(_ fields: [(String, OpenAPIJSON)]) -> OpenAPIJSON {
        .object([("code", .string(OpenAPIError.successCode)), ("msg", .string("Success"))] + fields)
    }

    /// An error with code/msg/sub_code/sub_msg as seed 004's table; business errors may carry fields.
    public static func failure(_ error: OpenAPIError, _ fields: [(String, OpenAPIJSON)] = []) -> OpenAPIJSON {
        var members: [(String, OpenAPIJSON)] = [("code", .string(error.code)), ("msg", .string(error.msg))]
        if let subCode = error.subCode { members.append(("sub_code", .string(subCode))) }
        if let subMsg = error.subMsg { members.append(("sub_msg", .string(subMsg))) }
        return .object(members + fields)
    }

    /// The whole body, in `charset`, signed by `signer` (nil: unsigned, when no key can sign).
    public static func body(method: String?, response: OpenAPIJSON, signer: (any Signer)?, charset: Charset) throws(SigningError) -> [UInt8] {
        let object = response.rendered
        guard let objectBytes = charset.encode(object) else { throw .signingFailed }
        var body = Array("{\"\(key(method: method))\":".utf8) + objectBytes
        if let signer {
            body += Array(",\"sign\":\"".utf8) + Array(try signer.sign(objectBytes).utf8) + Array("\"".utf8)
        }
        body += Array("}".utf8)
        return body
    }
}
