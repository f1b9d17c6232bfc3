import Foundation
import Hummingbird
import Logging
import ZhifuCore
import ZhifuModels
import ZhifuProtocol

/// What an OpenAPI method receives after the common checks.
struct OpenAPIRequest: Sendable {
    var parameters: ZhifuProtocol.Parameters
    var charset: Charset
    var app: App
    /// The merchant the request acts for: the app's own, or the one its app_auth_token names.
    var partner: UserId
    /// `biz_content`, parsed; nested objects and arrays are kept as their JSON text.
    var biz: [String: String]

    /// biz_content as the method's model; a field missing or malformed is ACQ.INVALID_PARAMETER
    /// (or the method family's own `subCode`) naming it.
    func model<Model: BizContentModel>(_ type: Model.Type, subCode: String = OpenAPIError.invalidParameterCode) throws(OpenAPIError) -> Model {
        do {
            return try BizContentDecoder.decode(type, from: biz)
        } catch {
            switch error {
            case .missing(let field): throw OpenAPIError.missingParameter(field, subCode: subCode)
            case .invalid(let field): throw OpenAPIError.invalidParameter(field, subCode: subCode)
            }
        }
    }

    /// The trade named by `trade_no` or `out_trade_no`, if it is this merchant's.
    func trade(_ gateway: Gateway, tradeNo: String?, outTradeNo: String?, includingUnscanned: Bool = false) async throws -> Trade {
        guard tradeNo != nil || outTradeNo != nil else { throw OpenAPIError.missingParameter("trade_no or out_trade_no") }
        return try await gateway.trades.trade(tradeNo: tradeNo, outTradeNo: outTradeNo, partner: partner, includingUnscanned: includingUnscanned)
    }
}

/// One `method=` of `/gateway.do`. Each lives in its own file under `OpenAPI/Methods/`.
protocol OpenAPIMethod: Sendable {
    var methodName: String { get }
    /// The response object on success (its model, shared with ZhifuSDK); throw an ``OpenAPIError``
    /// or ``TradeFailure`` to refuse.
    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> any OpenAPIResponseModel
}

/// A method the buyer's browser calls (page.pay, wap.pay, app.pay): it answers with a page, and
/// errors are shown as a page too.
protocol OpenAPIPageMethod: Sendable {
    var methodName: String { get }
    func page(_ request: OpenAPIRequest, gateway: Gateway) async throws -> Response
}

/// `POST|GET /gateway.do` for OpenAPI requests (those with `method=`), seed 004.
///
/// Common parameters are read from the query and the body alike (the official Python SDK puts them
/// in the query and `biz_content` in the body). Checks, in order: charset, method and app_id
/// present, method known, format, sign_type, sign, timestamp, version, app, the app's key for the
/// sign type, signature, the merchant's permission for the method (40006), app_auth_token, biz_content.
struct OpenAPIGateway: Sendable {
    let gateway: Gateway
    let logger: Logger

    static let methods: [String: any OpenAPIMethod] = {
        let all: [any OpenAPIMethod] = [
            TradeCreate(), TradePay(), TradePrecreate(), TradeQuery(), TradeRefund(), TradeRefund(pageRefund: true), TradeRefundApply(),
            TradeFastpayRefundQuery(),
            TradeClose(), TradeCancel(), TradeOrderSettle(), TradeOrderinfoSync(), TradeAdvanceConsult(),
            FundAuthOrderFreeze(), FundAuthOrderUnfreeze(), FundAuthOperationDetailQuery(),
            KoubeiItemorderBuy(), KoubeiItemorderQuery(), KoubeiItemorderRefund(), KoubeiOrderPrecreate(),
            KoubeiTicketcodeSend(), KoubeiTicketcodeQuery(), KoubeiTicketcodeDelay(), KoubeiTicketcodeCancel(),
            MybankPaymentTradeOrderCreate(), HuabeiAuthSettleApply(),
        ]
        return Dictionary(uniqueKeysWithValues: all.map { ($0.methodName, $0) })
    }()

    static let pageMethods: [String: any OpenAPIPageMethod] = {
        let all: [any OpenAPIPageMethod] = [TradePagePay(.page), TradePagePay(.wap), TradePagePay(.app)]
        return Dictionary(uniqueKeysWithValues: all.map { ($0.methodName, $0) })
    }()

    static func isKnown(_ method: String) -> Bool { methods[method] != nil || pageMethods[method] != nil }

    func handle(query: [UInt8], body: [UInt8], outcome: RequestOutcome = RequestOutcome()) async throws -> Response {
        let rawMethod = FormCoding.rawField("method", in: query) ?? FormCoding.rawField("method", in: body)
        outcome.name = rawMethod.flatMap { Self.isKnown($0) ? $0 : nil } ?? "unknown"
        outcome.result = "10000"
        let parameters: ZhifuProtocol.Parameters, charset: Charset
        do {
            (parameters, charset) = try FormCoding.decode(query: query, body: body, charsetNames: ["charset"])
        } catch .unsupportedCharset, .invalidBytes {
            outcome.result = OpenAPIError.isvInvalidCharset.subCode
            return try respond(method: rawMethod, OpenAPIResponse.failure(OpenAPIError.isvInvalidCharset), app: nil, charset: .utf8)
        } catch {
            outcome.result = OpenAPIError.isvInvalidParameter.subCode
            return try respond(method: rawMethod, OpenAPIResponse.failure(OpenAPIError.isvInvalidParameter), app: nil, charset: .utf8)
        }
        let method = parameters.nonEmpty("method")
        var app: App?
        do {
            let (checked, partner) = try await check(parameters, charset: charset)
            app = checked
            if let rule = try await FaultRules(gateway: gateway).fire(.method, method!) { throw rule.openAPIError }
            let request = try makeRequest(parameters, charset: charset, app: checked, partner: partner)
            if let pageMethod = Self.pageMethods[method!] {
                return try await pageMethod.page(request, gateway: gateway)
            }
            let fields = try ResponseEncoder.fields(await Self.methods[method!]!.handle(request, gateway: gateway))
            return try respond(method: method, OpenAPIResponse.success(fields), app: app, charset: charset)
        } catch is CancellationError {
            throw CancellationError()   // the client went away; there is no one to answer
        } catch {
            let failure: OpenAPIError = switch error {
            case let error as OpenAPIError: error
            case let error as any BusinessFailure: .business(error.subCode, error.message)
            default: .aopUnknowError
            }
            if failure == .aopUnknowError { logger.error("\(method ?? "OpenAPI request") failed: \(error)") }
            outcome.result = failure.subCode ?? failure.code
            if let method, Self.pageMethods[method] != nil {
                return HTML.openAPIErrorPage(failure)
            }
            let known = method.flatMap { Self.isKnown($0) ? $0 : nil }
            return try respond(method: known, OpenAPIResponse.failure(failure), app: app, charset: charset)
        }
    }

    /// The common checks; returns the calling app and the merchant it acts for.
    func check(_ p: ZhifuProtocol.Parameters, charset: Charset) async throws -> (App, UserId) {
        guard let method = p.nonEmpty("method") else { throw OpenAPIError.isvMissingMethod }
        guard let appId = p.nonEmpty("app_id") else { throw OpenAPIError.isvMissingAppId }
        guard Self.isKnown(method) else { throw OpenAPIError.isvInvalidMethod }
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
        guard appId.utf8.count <= 32, let app = try await gateway.app(appId: appId) else { throw OpenAPIError.isvInvalidAppId }
        guard app.signType == signType, let verifier = try? SigningKeys.verifier(signType, key: app.publicKey) else {
            throw OpenAPIError.isvMissingSignatureConfig
        }
        guard SignContent.isValid(signature, for: p, charset: charset, verifier: verifier, content: SignContent.openAPIRequest) else { throw OpenAPIError.isvInvalidSignature }
        // The merchant's `services` list (fixtures) names the methods it signed up for, as for MAPI.
        guard let merchant = try await gateway.merchant(partner: app.partner),
              merchant.allows(service: method) else {
            throw OpenAPIError.isvInsufficientIsvPermissions
        }
        guard let token = p.nonEmpty("app_auth_token") else { return (app, app.partner) }
        guard let grant = try await gateway.merchantDirectory.grant(token: token, appId: app.appId) else {
            throw OpenAPIError.aopInvalidAppAuthToken
        }
        guard let principal = try await gateway.merchant(partner: grant.partner),
              principal.allows(service: method) else {
            throw OpenAPIError.isvInsufficientUserPermissions
        }
        return (app, grant.partner)
    }

    func makeRequest(_ p: ZhifuProtocol.Parameters, charset: Charset, app: App, partner: UserId) throws -> OpenAPIRequest {
        var biz: [String: String] = [:]
        if let text = p.nonEmpty("biz_content") {
            do {
                biz = try BizContent.parse(text)
            } catch .notAnObject {
                throw OpenAPIError.isvInvalidParameter
            } catch .exponent(let field) {
                throw OpenAPIError.invalidParameter(field)
            }
        }
        return OpenAPIRequest(parameters: p, charset: charset, app: app, partner: partner, biz: biz)
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
    static let invalidParameterCode = "ACQ.INVALID_PARAMETER"
    /// The fund authorisation methods' code for a bad parameter (参数异常或参数缺失).
    static let illegalArgumentCode = "ILLEGAL_ARGUMENT"

    /// ACQ.INVALID_PARAMETER 参数无效, naming the field.
    static func invalidParameter(_ detail: String, subCode: String = invalidParameterCode) -> OpenAPIError {
        .business(subCode, "参数无效: \(detail)")
    }
    /// ACQ.INVALID_PARAMETER for a required biz_content field left out.
    static func missingParameter(_ detail: String, subCode: String = invalidParameterCode) -> OpenAPIError {
        .business(subCode, "缺少必选参数: \(detail)")
    }
}
