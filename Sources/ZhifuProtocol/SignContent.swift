/// The string a signature covers ("待签名字符串"), built the way each protocol does.
public enum SignContent {
    /// Which empty-valued parameters the string keeps.
    public enum EmptyValues: Sendable {
        /// The seeds' rule ("没有值的参数无需传递，也无需包含到待签名数据中"), used by the legacy demos.
        case dropped
        /// What some clients do (PyPI `alipay` 0.7.4): `key=` stays in the string.
        case kept
    }

    /// Sorts by name (byte order), joins `name=value` with `&`, raw values, no URL encoding.
    public static func make(_ parameters: Parameters, excluding: Set<String>, emptyValues: EmptyValues = .dropped) -> String {
        parameters.pairs
            .filter { !excluding.contains($0.name) && (emptyValues == .kept || !$0.value.isEmpty) }
            .sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
            .map { "\($0.name)=\($0.value)" }
            .joined(separator: "&")
    }

    /// MAPI requests and every notification: all parameters except `sign` and `sign_type`.
    public static func mapi(_ parameters: Parameters, emptyValues: EmptyValues = .dropped) -> String {
        make(parameters, excluding: ["sign", "sign_type"], emptyValues: emptyValues)
    }

    /// OpenAPI requests: `sign_type` is signed too, only `sign` is left out.
    public static func openAPIRequest(_ parameters: Parameters, emptyValues: EmptyValues = .dropped) -> String {
        make(parameters, excluding: ["sign"], emptyValues: emptyValues)
    }

    /// OpenAPI notifications: like MAPI, both `sign` and `sign_type` are left out.
    public static func openAPINotification(_ parameters: Parameters) -> String {
        mapi(parameters)
    }

    /// Whether `signature` signs `parameters` as `content` builds the sign string, with empty values
    /// dropped (the seeds' rule) or kept (what PyPI `alipay` 0.7.4 signs). Both are exact strings;
    /// nothing else is tried, and the second only when some value is empty.
    public static func isValid(_ signature: String, for parameters: Parameters, charset: Charset, verifier: any Verifier,
                               content: (Parameters, EmptyValues) -> String) -> Bool {
        let variants: [EmptyValues] = parameters.pairs.contains { $0.value.isEmpty } ? [.dropped, .kept] : [.dropped]
        return variants.contains { emptyValues in
            guard let bytes = charset.encode(content(parameters, emptyValues)) else { return false }
            return verifier.isValidSignature(signature, for: bytes)
        }
    }
}
