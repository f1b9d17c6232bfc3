import AsyncHTTPClient
import Foundation
import NIOCore
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol
import ZhifuSDK

/// Batch pay to bank accounts in a merchant's tests: the demo merchant's MAPI client, and the
/// payer's review page answered without a browser.
extension ZhifuSandbox {
    /// The demo merchant's MAPI client (MD5, UTF-8).
    public var mapiClient: MAPIClient {
        MAPIClient(gatewayURL: gatewayURL, partner: demo.merchant.userId.rawValue, signer: MD5Signer(key: demo.md5Key))
    }

    /// Verifies what the sandbox sends: MAPI notifications and returns signed with the demo MD5 key.
    public var notificationVerifier: NotificationVerifier {
        NotificationVerifier(alipayPublicKey: gateway.privateKey.publicKey, md5Key: demo.md5Key, dsaPublicKey: gateway.dsaPrivateKey.publicKey)
    }

    /// What the payer does on the `bptb_user_confirm` page: types the payment password (the demo
    /// merchant's unless given) and follows the way back. Returns the parameters the merchant's
    /// return_url receives; a refused confirmation returns its signed `is_success=F` parameters.
    public func confirmPayoutFile(reviewURL: String, password: String? = nil) async throws -> ZhifuProtocol.Parameters {
        let base = gatewayURL.replacingOccurrences(of: "/gateway.do", with: "")
        let page = try await Self.fetch(reviewURL)
        if let back = Self.returnParameters(in: page) { return back }   // refused before the form (FILE_NOT_EXIST, …)
        guard let fileId = Self.hidden("batch_id", in: page), let token = Self.hidden("token", in: page) else {
            throw SandboxError.paymentRefused("no review form: \(page.prefix(200))")
        }
        var request = HTTPClientRequest(url: base + "/pages/bptb/confirm")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        let form = ZhifuProtocol.Parameters([("batch_id", fileId), ("token", token), ("account", demo.merchant.logonId),
                                             ("password", password ?? demo.merchant.password)])
        request.body = .bytes(ByteBuffer(string: FormCoding.encode(form, charset: .utf8) ?? ""))
        let response = try await Self.cashierClient.execute(request, timeout: .seconds(30))
        let result = String(buffer: try await response.body.collect(upTo: 1 << 20))
        if let back = Self.returnParameters(in: result) { return back }
        guard let link = result.range(of: "href=\"/pages/bptb/return/").map({ String(result[$0.lowerBound...].dropFirst(6).prefix { $0 != "\"" }) }) else {
            throw SandboxError.paymentRefused(result.range(of: "id=\"error-code\">").map { String(result[$0.upperBound...].prefix { $0 != "<" }) } ?? "not confirmed")
        }
        let redirect = try await Self.cashierClient.execute(HTTPClientRequest(url: base + link.replacingOccurrences(of: "&amp;", with: "&")), timeout: .seconds(30))
        guard let location = redirect.headers.first(name: "Location"), let query = location.split(separator: "?", maxSplits: 1).last else {
            throw SandboxError.paymentRefused("no way back")
        }
        return try FormCoding.decode(query: Array(query.utf8), body: []).0
    }

    static func fetch(_ url: String) async throws -> String {
        let response = try await cashierClient.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        return String(buffer: try await response.body.collect(upTo: 1 << 20))
    }

    static func hidden(_ name: String, in page: String) -> String? {
        page.range(of: "name=\"\(name)\" value=\"").map { String(page[$0.upperBound...].prefix { $0 != "\"" }) }
    }

    /// The signed return link a result page offers straight to the merchant (refusals).
    static func returnParameters(in page: String) -> ZhifuProtocol.Parameters? {
        guard let start = page.range(of: "id=\"return-link\" href=\""), !page[start.upperBound...].hasPrefix("/pages/") else { return nil }
        let link = String(page[start.upperBound...].prefix { $0 != "\"" }).replacingOccurrences(of: "&amp;", with: "&")
        guard let query = link.split(separator: "?", maxSplits: 1).last else { return nil }
        return try? FormCoding.decode(query: Array(query.utf8), body: []).0
    }
}
