import Foundation
import Hummingbird
import ZhifuCore
import ZhifuProtocol

/// What an OpenAPI method receives after the common checks.
struct OpenAPIRequest: Sendable {
    var parameters: ZhifuProtocol.Parameters
    var charset: Charset
    var app: App
    /// `biz_content`, parsed.
    var biz: [String: any Sendable]

    func string(_ name: String, maxLength: Int = 256) throws(OpenAPIError) -> String? {
        guard let value = biz[name] else { return nil }
        guard let text = value as? String, text.count <= maxLength else {
            throw OpenAPIError.business("ACQ.INVALID_PARAMETER", "参数无效: \(name)")
        }
        return text.isEmpty ? nil : text
    }
}

/// One `method=` of `/gateway.do`. Each lives in its own file under `OpenAPI/Methods/`.
protocol OpenAPIMethod: Sendable {
    static var name: String { get }
    /// The response object's fields on success; throw an ``OpenAPIError`` (usually `.business`) to refuse.
    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> [(String, OpenAPIJSON)]
}

/// `POST|GET /gateway.do` for OpenAPI requests (those with `method=`), seed 004.
///
/// Common parameters are read from the query and the body alike (the official Python SDK puts them
/// in the query and `biz_content` in the body). Checks, in order: charset, method and app_id
/// present, method known, format, sign_type, sign, timestamp, version, app, the app's key for the
/// sign type, signature, app_auth_token, biz_content.
struct OpenAPIGateway: Sendable {
    let gateway: Gateway

    static let methods: [String: any OpenAPIMethod] = {
        let all: [any OpenAPIMethod] = [TradeCreate(), TradeQuery(), TradeClose(), TradeCancel()]
        return Dictionary(uniqueKeysWithValues: all.map { (type(of: $0).name, $0) })
    }()

    func handle(query: [UInt8], body: [UInt8]) async throws -> Response {
        let rawMethod = FormCoding.rawField("method", in: query) ?? FormCoding.rawField("method", in: body)
        let parameters: ZhifuProtocol.Parameters, charset: Charset
        do {
            (parameters, charset) = try FormCoding.decode(query: query, body: body, charsetNames: ["charset"])
        } catch .unsupportedCharset, .invalidBytes {
            return try respond(method: rawMethod, OpenAPIResponse.failure(OpenAPIError.isvInvalidCharset), app: nil, charset: .utf8)
        } catch {
            return try respond(method: rawMethod, OpenAPIResponse.failure(OpenAPIError.isvInvalidParameter), app: nil, charset: .utf8)
        }
        let method = parameters.nonEmpty("method")
        var app: App?
        do {
            app = try await check(parameters, charset: charset)
            let request = try await makeRequest(parameters, charset: charset, app: app!)
            let fields = try await Self.methods[method!]!.handle(request, gateway: gateway)
            return try respond(method: method, OpenAPIResponse.success(fields), app: app, charset: charset)
        } catch let error as OpenAPIError {
            let known = method.flatMap { Self.methods[$0] } != nil ? method : nil
            return try respond(method: known, OpenAPIResponse.failure(error), app: app, charset: charset)
        }
    }

    /// The common checks; returns the calling app.
    func check(_ p: ZhifuProtocol.Parameters, charset: Charset) async throws -> App {
        guard let method = p.nonEmpty("method") else { throw OpenAPIError.isvMissingMethod }
        guard let appId = p.nonEmpty("app_id") else { throw OpenAPIError.isvMissingAppId }
        guard Self.methods[method] != nil else { throw OpenAPIError.isvInvalidMethod }
        if let format = p.nonEmpty("format"), format.uppercased() != "JSON" { throw OpenAPIError.isvInvalidFormat }
        guard let signTypeText = p.nonEmpty("sign_type") else { throw OpenAPIError.isvMissingSignatureType }
        guard let signType = SignType(rawValue: signTypeText), signType == .rsa2 || signType == .rsa else {
            throw OpenAPIError.isvInvalidSignatureType
        }
        guard let signature = p.nonEmpty("sign") else { throw OpenAPIError.isvMissingSignature }
        guard let timestamp = p.nonEmpty("timestamp") else { throw OpenAPIError.isvMissingTimestamp }
        guard gateway.configuration.calendar.parseTimestamp(timestamp) != nil else { throw OpenAPIError.isvInvalidTimestamp }
        guard let version = p.nonEmpty("version") else { throw OpenAPIError.isvMissingVersion }
        guard version == "1.0" else { throw OpenAPIError.isvInvalidParameter }
        guard appId.utf8.count <= 32, let app = try await gateway.store.app(appId: appId) else { throw OpenAPIError.isvInvalidAppId }
        guard app.signType == signType, let verifier = try? SigningKeys.verifier(signType, key: app.publicKey) else {
            throw OpenAPIError.isvMissingSignatureConfig
        }
        guard SignContent.isValid(signature, for: p, charset: charset, verifier: verifier, content: SignContent.openAPIRequest) else { throw OpenAPIError.isvInvalidSignature }
        if p.nonEmpty("app_auth_token") != nil { throw OpenAPIError.aopInvalidAppAuthToken }
        return app
    }

    func makeRequest(_ p: ZhifuProtocol.Parameters, charset: Charset, app: App) async throws -> OpenAPIRequest {
        var biz: [String: any Sendable] = [:]
        if let text = p.nonEmpty("biz_content") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                throw OpenAPIError.isvInvalidParameter
            }
            for (key, value) in object {
                switch value {
                case let text as String: biz[key] = text
                case let number as NSNumber: biz[key] = number.stringValue
                default: biz[key] = "\(value)"
                }
            }
        }
        return OpenAPIRequest(parameters: p, charset: charset, app: app, biz: biz)
    }

    /// Signs with the gateway key in the app's sign type (RSA2 when no app is known).
    func respond(method: String?, _ response: OpenAPIJSON, app: App?, charset: Charset) throws -> Response {
        let signer = try RSASigner(key: gateway.privateKey, signType: app?.signType ?? .rsa2)
        let body = try OpenAPIResponse.body(method: method, response: response, signer: signer, charset: charset)
        return Response(status: .ok, headers: [.contentType: "application/json;charset=\(charset.rawValue)"],
                        body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension OpenAPIError {
    /// ACQ.TRADE_NOT_EXIST 交易不存在.
    static let tradeNotExist = OpenAPIError.business("ACQ.TRADE_NOT_EXIST", "交易不存在")
    /// ACQ.TRADE_STATUS_ERROR 交易状态不合法.
    static let tradeStatusError = OpenAPIError.business("ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
    /// ACQ.INVALID_PARAMETER 参数无效.
    static func invalidParameter(_ detail: String) -> OpenAPIError { .business("ACQ.INVALID_PARAMETER", "参数无效: \(detail)") }
}

extension OpenAPIRequest {
    /// The trade named by `trade_no` or `out_trade_no`, if it is this app's merchant's.
    func trade(in store: any Store) async throws -> Trade {
        let tradeNo = try string("trade_no", maxLength: 64)
        let outTradeNo = try string("out_trade_no", maxLength: 64)
        guard tradeNo != nil || outTradeNo != nil else { throw OpenAPIError.invalidParameter("trade_no or out_trade_no is required") }
        let trade = if let tradeNo { try await store.trade(tradeNo: tradeNo) } else { try await store.trade(partner: app.partner, outTradeNo: outTradeNo!) }
        guard let trade, trade.partner == app.partner, outTradeNo == nil || trade.outTradeNo == outTradeNo else { throw OpenAPIError.tradeNotExist }
        return trade
    }
}
