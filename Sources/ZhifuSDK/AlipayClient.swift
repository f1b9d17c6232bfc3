import AsyncHTTPClient
import Foundation
import NIOCore
import ZhifuProtocol

/// The OpenAPI client (`/gateway.do` with `method=`): pointed at Alipay in production, at its
/// sandbox, or at Zhifu in development. Requests are signed with the app's key (RSA2 or RSA);
/// every answer's signature is checked over the exact bytes of its response object before
/// anything in it is read; a business failure (code ≠ 10000) throws ``AlipayError``.
public struct AlipayClient: Sendable {
    public struct Configuration: Sendable {
        /// Alipay's production gateway.
        public static let production = "https://openapi.alipay.com/gateway.do"
        /// Alipay's sandbox (沙箱环境).
        public static let sandbox = "https://openapi-sandbox.dl.alipaydev.com/gateway.do"

        public var gatewayURL: String
        public var appId: String
        public var appPrivateKey: PrivateKey
        /// The key Alipay (or Zhifu: `zhifu-data/keys/gateway_public.pem`) signs answers with.
        public var alipayPublicKey: PublicKey
        public var signType: SignType
        public var charset: Charset
        /// Acting for another merchant (第三方应用授权).
        public var appAuthToken: String?
        public var timeout: TimeAmount = .seconds(30)

        /// Keys as PEM (PKCS#1 or PKCS#8, SPKI) or bare base64, as Alipay's console shows them.
        public init(gatewayURL: String, appId: String, appPrivateKey: String, alipayPublicKey: String, signType: SignType = .rsa2,
                    charset: Charset = .utf8, appAuthToken: String? = nil) throws(KeyError) {
            self.gatewayURL = gatewayURL; self.appId = appId
            self.appPrivateKey = try PrivateKey(text: appPrivateKey)
            self.alipayPublicKey = try PublicKey(text: alipayPublicKey)
            self.signType = signType; self.charset = charset; self.appAuthToken = appAuthToken
        }
    }

    public enum RequestError: Error, Equatable, Sendable {
        case unsupportedSignType
        /// A value has a character the configured charset cannot encode.
        case unencodable
        case http(status: Int)
        case malformedResponse
    }

    public let configuration: Configuration
    public let transport: any AlipayTransport

    /// Over AsyncHTTPClient, with the configuration's timeout.
    public init(configuration: Configuration, httpClient: HTTPClient = .shared) {
        self.init(configuration: configuration, transport: HTTPClientTransport(httpClient: httpClient, timeout: configuration.timeout))
    }

    /// Over any transport: another HTTP stack, or a test double.
    public init(configuration: Configuration, transport: any AlipayTransport) {
        self.configuration = configuration
        self.transport = transport
    }

    /// `alipay.trade.*` as typed calls: `try await client.trade.pay(…)`.
    public var trade: AlipayTrade { AlipayTrade(client: self) }

    /// `alipay.fund.auth.*` (预授权) as typed calls: `try await client.fundAuth.freeze(…)`.
    public var fundAuth: AlipayFundAuth { AlipayFundAuth(client: self) }

    /// `koubei.trade.*` as typed calls: `try await client.koubei.itemorderBuy(…)`.
    public var koubei: AlipayKoubei { AlipayKoubei(client: self) }

    /// One typed call: signs, sends, verifies the response signature and decodes the response object.
    func call<Response: Decodable>(_ method: String, _ model: some Encodable, notifyURL: String? = nil) async throws -> Response {
        try Self.decode(Response.self, from: try await execute(method: method, bizContent: model, notifyURL: notifyURL))
    }

    // MARK: Signing

    /// The common parameters, `biz_content` and `sign` of a call to `method`: byte for byte what the
    /// official Python SDK sends for the same values (`format=json` included; SDKCrossCheckTests).
    public func signedParameters(method: String, bizContent: some Encodable, notifyURL: String? = nil, returnURL: String? = nil,
                                 now: Date = Date()) throws -> Parameters {
        guard configuration.signType == .rsa2 || configuration.signType == .rsa else { throw RequestError.unsupportedSignType }
        var p = Parameters([("app_id", configuration.appId), ("method", method), ("format", "json"), ("charset", configuration.charset.rawValue),
                            ("sign_type", configuration.signType.rawValue), ("timestamp", Self.timestamp(now)), ("version", "1.0")])
        p["notify_url"] = notifyURL
        p["return_url"] = returnURL
        p["app_auth_token"] = configuration.appAuthToken
        p["biz_content"] = try Self.json(bizContent)
        guard let bytes = configuration.charset.encode(SignContent.openAPIRequest(p)) else { throw RequestError.unencodable }
        p["sign"] = try RSASigner(key: configuration.appPrivateKey, signType: configuration.signType).sign(bytes)
        return p
    }

    /// `biz_content` as Alipay reads it: snake_case keys, amounts as strings.
    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// `yyyy-MM-dd HH:mm:ss` in China Standard Time, as the gateway expects.
    static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 8 * 3_600)!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ value: Int?, _ width: Int = 2) -> String { String(repeating: "0", count: max(0, width - String(value ?? 0).count)) + String(value ?? 0) }
        return "\(pad(c.year, 4))-\(pad(c.month))-\(pad(c.day)) \(pad(c.hour)):\(pad(c.minute)):\(pad(c.second))"
    }

    // MARK: Calling

    /// Calls `method` and returns its verified response object as JSON data (UTF-8), after a
    /// business failure check. Official SDKs send the common parameters in the query and
    /// `biz_content` in the body; so does this client.
    public func execute(method: String, bizContent: some Encodable, notifyURL: String? = nil) async throws -> Data {
        var query = try signedParameters(method: method, bizContent: bizContent, notifyURL: notifyURL)
        let biz = query["biz_content"] ?? "{}"
        query["biz_content"] = nil
        let charset = configuration.charset
        guard let queryText = FormCoding.encode(query, charset: charset), let body = FormCoding.encode(Parameters([("biz_content", biz)]), charset: charset) else {
            throw RequestError.unencodable
        }
        let response = try await transport.send(AlipayHTTPRequest(
            method: "POST", url: configuration.gatewayURL + "?" + queryText,
            headers: ["Content-Type": "application/x-www-form-urlencoded;charset=\(charset.rawValue)"], body: Array(body.utf8)))
        guard response.status == 200 else { throw RequestError.http(status: response.status) }
        let bytes = response.body
        return try verified(bytes, method: method)
    }

    /// The response object of `bytes` once its signature holds, as UTF-8 JSON; throws the
    /// business failure it reports.
    public func verified(_ bytes: [UInt8], method: String) throws -> Data {
        let body = try AlipayResponseBody(bytes, method: method)
        guard let text = configuration.charset.decode(body.object),
              let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { throw RequestError.malformedResponse }
        let code = object["code"] as? String ?? ""
        try body.verify(with: RSAVerifier(key: configuration.alipayPublicKey, signType: configuration.signType), isSuccess: code == "10000")
        guard code == "10000" else {
            throw AlipayError(code: code, msg: object["msg"] as? String ?? "", subCode: object["sub_code"] as? String, subMsg: object["sub_msg"] as? String)
        }
        return Data(text.utf8)
    }

    /// Decodes a verified response object into `Response` (snake_case keys).
    static func decode<Response: Decodable>(_ type: Response.Type, from data: Data) throws -> Response {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(type, from: data)
    }

    // MARK: Browser and app methods

    /// page.pay / wap.pay: the signed GET URL the buyer's browser is sent to.
    public func pageURL(method: String, bizContent: some Encodable, returnURL: String? = nil, notifyURL: String? = nil) throws -> String {
        let p = try signedParameters(method: method, bizContent: bizContent, notifyURL: notifyURL, returnURL: returnURL)
        guard let query = FormCoding.encode(p, charset: configuration.charset) else { throw RequestError.unencodable }
        return configuration.gatewayURL + "?" + query
    }

    /// app.pay: the order string the app hands to the Alipay wallet.
    public func appOrderString(bizContent: some Encodable, notifyURL: String? = nil) throws -> String {
        let p = try signedParameters(method: "alipay.trade.app.pay", bizContent: bizContent, notifyURL: notifyURL)
        guard let query = FormCoding.encode(p, charset: configuration.charset) else { throw RequestError.unencodable }
        return query
    }

    /// An asynchronous notification (`trade_status_sync`) as posted to notify_url: signed by
    /// Alipay over every parameter but `sign` and `sign_type`.
    public func isValidNotification(_ parameters: Parameters) -> Bool {
        guard let sign = parameters["sign"], let signType = parameters["sign_type"].flatMap(SignType.init(rawValue:)),
              let verifier = try? RSAVerifier(key: configuration.alipayPublicKey, signType: signType),
              let bytes = (parameters["charset"].flatMap(Charset.init(name:)) ?? .utf8).encode(SignContent.openAPINotification(parameters)) else {
            return false
        }
        return verifier.isValidSignature(sign, for: bytes)
    }
}

/// A business failure (code ≠ 10000) as Alipay reported it: `sub_code` is what code decides on.
public struct AlipayError: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: String
    public var msg: String
    public var subCode: String?
    public var subMsg: String?

    public var description: String { "\(code) \(msg)" + (subCode.map { " \($0)" } ?? "") + (subMsg.map { " \($0)" } ?? "") }
}
