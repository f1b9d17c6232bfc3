import Foundation
import ZhifuProtocol

/// Reads what Alipay (or Zhifu) POSTs to a `notify_url`: the raw form body in, a verified and typed
/// notification out, or a precise reason it is not one. A merchant's endpoint answers `success`
/// only after this returns; anything else makes Alipay retry.
public struct NotificationVerifier: Sendable {
    public enum Failure: Error, Equatable, Sendable {
        /// Not a form in its charset (bad escapes, bytes the charset does not decode).
        case unreadable(String)
        case missing(String)
        /// A `sign_type` this verifier has no key for (MD5 without the partner's key, say).
        case signTypeNotAccepted(String)
        case badSignature
        /// A field that does not read as its format (an amount, a details list).
        case invalid(String)
        case unknownNotifyType(String)
    }

    /// Alipay's RSA public key (Zhifu's: `zhifu-data/keys/gateway_public.pem`).
    let alipayPublicKey: PublicKey
    /// The partner's MD5 key, for MAPI notifications of MD5-signed requests.
    let md5Key: String?
    /// Alipay's DSA public key (`gateway_dsa_public.pem`), for DSA-signed MAPI requests.
    let dsaPublicKey: PublicKey?

    public init(alipayPublicKey: PublicKey, md5Key: String? = nil, dsaPublicKey: PublicKey? = nil) {
        self.alipayPublicKey = alipayPublicKey; self.md5Key = md5Key; self.dsaPublicKey = dsaPublicKey
    }

    /// `body` as received; `contentType` the request's header, whose `charset=` names the body's
    /// charset (Alipay sends it). Without one, an OpenAPI body's own `charset` field, else UTF-8.
    public func verify(body: [UInt8], contentType: String? = nil) throws(Failure) -> AlipayNotification {
        let named = contentType.flatMap(Self.charset(inContentType:))
        let parameters: Parameters
        do {
            (parameters, _) = try FormCoding.decode(query: [UInt8](), body: body, charsetNames: named == nil ? ["charset"] : [],
                                                    defaultCharset: named ?? .utf8)
        } catch {
            throw .unreadable("\(error)")
        }
        return try verify(parameters, charset: named ?? parameters["charset"].flatMap(Charset.init(name:)) ?? .utf8)
    }

    /// Parameters already decoded (a framework's form parser), signed in `charset`.
    public func verify(_ parameters: Parameters, charset: Charset = .utf8) throws(Failure) -> AlipayNotification {
        guard let notifyType = parameters["notify_type"] else { throw .missing("notify_type") }
        guard let signature = parameters["sign"] else { throw .missing("sign") }
        guard let signTypeName = parameters["sign_type"] else { throw .missing("sign_type") }
        let openAPI = notifyType == "trade_status_sync"
        guard openAPI || ["batch_trans_notify", "batch_refund_notify", "bptb_result_notify", "bptb_unfreeze_notify"].contains(notifyType) else {
            throw .unknownNotifyType(notifyType)
        }
        guard let verifier = verifier(signTypeName, openAPI: openAPI) else { throw .signTypeNotAccepted(signTypeName) }
        let content = openAPI ? SignContent.openAPINotification(parameters) : SignContent.mapi(parameters)
        guard let bytes = charset.encode(content), verifier.isValidSignature(signature, for: bytes) else { throw .badSignature }
        let fields = Fields(parameters: parameters)
        switch notifyType {
        case "trade_status_sync": return .tradeStatusSync(try TradeStatusSync(fields))
        case "batch_trans_notify": return .batchTrans(try BatchTransNotification(fields))
        case "batch_refund_notify": return .batchRefund(try BatchRefundNotification(fields))
        default: return .payoutFile(try PayoutFileNotification(fields))
        }
    }

    /// The parameters `bptb_user_confirm` sends the payer back to `return_url` with (seed 002 §5),
    /// verified like a MAPI notification of the request's sign type.
    public func verifyPayoutReturn(_ parameters: Parameters, charset: Charset = .utf8) throws(Failure) -> PayoutReturn {
        guard let signature = parameters["sign"] else { throw .missing("sign") }
        guard let signTypeName = parameters["sign_type"] else { throw .missing("sign_type") }
        guard let verifier = verifier(signTypeName, openAPI: false) else { throw .signTypeNotAccepted(signTypeName) }
        guard let bytes = charset.encode(SignContent.mapi(parameters)), verifier.isValidSignature(signature, for: bytes) else { throw .badSignature }
        return try PayoutReturn(Fields(parameters: parameters))
    }

    /// OpenAPI notifications are RSA2 or RSA only; MAPI ones are signed as their request was.
    func verifier(_ name: String, openAPI: Bool) -> (any Verifier)? {
        switch SignType(rawValue: name) {
        case .rsa2 where openAPI, .rsa: try? RSAVerifier(key: alipayPublicKey, signType: SignType(rawValue: name)!)
        case .md5 where !openAPI: md5Key.map { MD5Signer(key: $0) }
        case .dsa where !openAPI: dsaPublicKey.flatMap { try? DSAVerifier(key: $0) }
        default: nil
        }
    }

    static func charset(inContentType header: String) -> Charset? {
        for part in header.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "charset" { return Charset(name: pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))) }
        }
        return nil
    }
}

/// Typed reads of a verified notification's fields.
struct Fields {
    let parameters: Parameters

    func required(_ name: String) throws(NotificationVerifier.Failure) -> String {
        guard let value = parameters[name], !value.isEmpty else { throw .missing(name) }
        return value
    }

    func amount(_ name: String) throws(NotificationVerifier.Failure) -> Amount? {
        guard let text = parameters[name], !text.isEmpty else { return nil }
        guard let amount = Amount(text) else { throw .invalid(name) }
        return amount
    }
}
