import Foundation
import Testing
import ZhifuProtocol
import ZhifuSDK

/// ZhifuSDK against the official OpenAPI Python SDK, byte for byte: for each request of
/// Vectors/python_sdk_requests.json (made by Tests/interop/make_sdk_vectors.py with alipay-sdk-python;
/// scripts/test checks the installed SDK still makes exactly that file), AlipayClient builds the
/// same parameters from the same values — biz_content, sign string and signature included.
@Suite struct SDKCrossCheckTests {
    struct Case: Decodable, CustomTestStringConvertible {
        var name, method, signType, charset: String
        var swift: [String: String]
        var parameters: [String: String]
        var signContent: String
        var testDescription: String { name }
    }

    struct File: Decodable {
        var appId, timestamp: String
        var cases: [Case]
    }

    static let file = Vectors.load("python_sdk_requests", as: File.self)

    /// The request's business values, as the Python SDK's model serialised them.
    static func values(_ vector: Case) throws -> [String: Any] {
        let biz = try need(vector.parameters["biz_content"])
        return try need(try JSONSerialization.jsonObject(with: Data(biz.utf8)) as? [String: Any])
    }

    /// The same request as a ZhifuSDK model, built from those values.
    static func model(_ vector: Case) throws -> any Encodable {
        let v = try values(vector)
        func text(_ key: String) -> String? { v[key] as? String }
        func amount(_ key: String) throws -> Amount { try need(Amount(try need(text(key)))) }
        switch vector.swift["model"] {
        case "pay":
            let order = AlipayTrade.OrderModel(outTradeNo: try need(text("out_trade_no")), totalAmount: try amount("total_amount"), subject: try need(text("subject")))
            return AlipayTrade.PayModel(order: order, scene: try need(text("scene")), authCode: try need(text("auth_code")))
        case "order":
            var order = AlipayTrade.OrderModel(outTradeNo: try need(text("out_trade_no")), totalAmount: try amount("total_amount"), subject: try need(text("subject")))
            order.body = text("body"); order.passbackParams = text("passback_params"); order.timeoutExpress = text("timeout_express")
            order.buyerId = text("buyer_id")
            return order
        case "reference":
            return AlipayTrade.TradeReference(tradeNo: text("trade_no"), outTradeNo: text("out_trade_no"))
        case "refund":
            return AlipayTrade.RefundModel(outTradeNo: text("out_trade_no"), refundAmount: try amount("refund_amount"), outRequestNo: text("out_request_no"),
                                           refundReason: text("refund_reason"))
        case "settle":
            let royalties = try need(v["royalty_parameters"] as? [[String: String]]).map {
                AlipayTrade.Royalty(transIn: $0["trans_in"]!, amount: Amount($0["amount"]!)!, desc: $0["desc"])
            }
            return AlipayTrade.SettleModel(outRequestNo: try need(text("out_request_no")), tradeNo: try need(text("trade_no")), royaltyParameters: royalties)
        default:
            throw VectorError.unknownModel
        }
    }

    enum VectorError: Error { case unknownModel, missing }

    /// A value the vector must have (`#require` does not nest).
    static func need<T>(_ value: T?) throws -> T {
        guard let value else { throw VectorError.missing }
        return value
    }

    /// `yyyy-MM-dd HH:mm:ss` in UTC+8, the vectors' fixed timestamp.
    static func chinaStandardTime(_ text: String) throws -> Date {
        let numbers = text.split(whereSeparator: { "-: ".contains($0) }).compactMap { Int($0) }
        guard numbers.count == 6 else { throw VectorError.missing }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 8 * 3_600)!
        return try need(calendar.date(from: DateComponents(year: numbers[0], month: numbers[1], day: numbers[2],
                                                               hour: numbers[3], minute: numbers[4], second: numbers[5])))
    }

    @Test(arguments: file.cases)
    func alipayClientBuildsTheOfficialSDKsRequest(_ vector: Case) throws {
        let keys = Vectors.signatures.keys
        let configuration = try AlipayClient.Configuration(
            gatewayURL: "http://127.0.0.1:8080/gateway.do", appId: Self.file.appId, appPrivateKey: keys.rsaPrivatePKCS8, alipayPublicKey: keys.rsaPublic,
            signType: try #require(SignType(rawValue: vector.signType)), charset: try #require(Charset(rawValue: vector.charset)),
            appAuthToken: vector.swift["app_auth_token"])
        let now = try Self.chinaStandardTime(Self.file.timestamp)
        let built = try AlipayClient(configuration: configuration).signedParameters(
            method: vector.method, bizContent: Self.model(vector), notifyURL: vector.swift["notify_url"], now: now)
        let ours = Dictionary(uniqueKeysWithValues: built.pairs.map { ($0.name, $0.value) })
        for name in Set(ours.keys).union(vector.parameters.keys).sorted() {
            #expect(ours[name] == vector.parameters[name], "\(name)")
        }
        #expect(SignContent.openAPIRequest(built) == vector.signContent, "the gateway's sign string is the SDK's")
    }
}
