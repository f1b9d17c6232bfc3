import Foundation
import ZhifuProtocol

/// Builds signed MAPI (`service=`) requests the way Alipay's own merchant demos do, and checks
/// the signature of notifications. Send the URL or form body with any HTTP client; the one call
/// made here is `notify_verify`.
public struct MAPIClient: Sendable {
    /// e.g. `http://127.0.0.1:8080/gateway.do` or `https://mapi.alipay.com/gateway.do`.
    public var gatewayURL: String
    public var partner: String
    public var charset: Charset
    private let signer: any Signer

    public init(gatewayURL: String, partner: String, signer: any Signer, charset: Charset = .utf8) {
        self.gatewayURL = gatewayURL
        self.partner = partner
        self.signer = signer
        self.charset = charset
    }

    public enum RequestError: Error, Equatable, Sendable {
        /// A value has a character the request's charset cannot encode.
        case unencodable
        case signingFailed
    }

    /// Adds `service`, `partner`, `_input_charset`, then `sign` and `sign_type`.
    public func signedParameters(service: String, _ parameters: Parameters) throws(RequestError) -> Parameters {
        var all = parameters
        all["service"] = service
        all["partner"] = partner
        all["_input_charset"] = charset.rawValue
        guard let bytes = charset.encode(SignContent.mapi(all)) else { throw .unencodable }
        do { all["sign"] = try signer.sign(bytes) } catch { throw .signingFailed }
        all["sign_type"] = signer.signType.rawValue
        return all
    }

    /// The full GET URL (what a page service's redirect or link uses).
    public func requestURL(service: String, _ parameters: Parameters) throws(RequestError) -> String {
        guard let query = FormCoding.encode(try signedParameters(service: service, parameters), charset: charset) else { throw .unencodable }
        return gatewayURL + "?" + query
    }

    /// The `application/x-www-form-urlencoded` body for a POST.
    public func formBody(service: String, _ parameters: Parameters) throws(RequestError) -> String {
        guard let body = FormCoding.encode(try signedParameters(service: service, parameters), charset: charset) else { throw .unencodable }
        return body
    }

    /// Checks a notification or return-URL parameter set: all parameters but `sign` and `sign_type`
    /// are signed, in the notification's charset.
    public static func isValidNotification(_ parameters: Parameters, verifier: any Verifier, charset: Charset = .utf8) -> Bool {
        guard let signature = parameters["sign"], parameters["sign_type"] == verifier.signType.rawValue,
              let bytes = charset.encode(SignContent.mapi(parameters)) else { return false }
        return verifier.isValidSignature(signature, for: bytes)
    }

    /// `notify_verify`: `true` while the gateway has sent `notifyId` to this partner and not yet had
    /// `success` for it — the second check Alipay's demos make after the signature. Unsigned, as Alipay's is.
    public func notifyVerify(notifyId: String, transport: any AlipayTransport = HTTPClientTransport(maximumResponseBytes: 4096)) async throws -> Bool {
        let query = FormCoding.encode(Parameters([("service", "notify_verify"), ("partner", partner), ("notify_id", notifyId)]), charset: .utf8) ?? ""
        let response = try await transport.send(AlipayHTTPRequest(method: "GET", url: gatewayURL + "?" + query))
        return String(decoding: response.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == "true"
    }
}
