import Foundation
import Testing
import ZhifuModels
import ZhifuProtocol

/// The per-method models are read by the gateway and written by ZhifuSDK (and the other way round
/// for responses): what one side writes, the other reads back unchanged.
@Suite struct ModelTests {
    func fields(_ json: String) throws -> [String: String] { try BizContent.parse(json) }

    /// What ZhifuSDK puts in biz_content (AlipayClient.json's settings).
    func sdkJSON(_ model: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(model), as: UTF8.self)
    }

    func roundTrip<Model: BizContentModel & Equatable>(_ model: Model) throws {
        let json = try sdkJSON(model)
        #expect(try BizContentDecoder.decode(Model.self, from: try fields(json)) == model, "\(json)")
    }

    @Test(arguments: ["outTradeNo", "totalAmount", "buyerLogonId", "sysServiceProviderId", "extendParams", "subject", "a", "", "timeoutExpress"])
    func wireNamesAreWhatJSONEncodersSnakeCaseWrites(name: String) throws {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let json = try #require(String(data: try encoder.encode(OneField(name: name)), encoding: .utf8))
        #expect(json == "{\"\(WireName.snake(name))\":1}")
    }

    @Test func everyRequestTheSDKWritesTheGatewayReadsBack() throws {
        var order = TradeOrderModel(outTradeNo: "o-1", totalAmount: Amount(fen: 8_888), subject: "咖啡 {大杯}/热")
        order.body = "b"; order.timeExpire = "2026-12-31 10:05"; order.passbackParams = "a%3Db"; order.transCurrency = "USD"
        order.discountableAmount = Amount(fen: 88); order.undiscountableAmount = Amount(fen: 8_800)
        var goods = GoodsDetail(goodsId: "g1", goodsName: "苹果", quantity: 2, price: Amount(fen: 125))
        goods.showUrl = "http://shop.example/g1"
        order.goodsDetail = [goods]
        var extend = ExtendParams()
        extend.hbFqNum = "3"
        order.extendParams = extend
        try roundTrip(order)
        try roundTrip(TradePayModel(order: order, scene: "wave_code", authCode: "281234567890123456"))
        try roundTrip(TradePagePayModel(order: order, qrPayMode: "4", qrcodeWidth: 120))
        try roundTrip(TradeWapPayModel(order: order, quitUrl: "https://shop.example/quit"))
        try roundTrip(TradeReference(outTradeNo: "o-1"))
        try roundTrip(TradeRefundModel(tradeNo: "2026112222001400000001", refundAmount: Amount(fen: 1), outRequestNo: "r1", refundReason: "退货"))
        try roundTrip(TradeRefundQueryModel(outTradeNo: "o-1", outRequestNo: "r1"))
        try roundTrip(TradeSettleModel(outRequestNo: "s1", tradeNo: "t", royaltyParameters: [RoyaltyDetail(transIn: "2088101126708402", amount: Amount(fen: 7), desc: "分账")]))
        try roundTrip(TradeOrderinfoSyncModel(tradeNo: "t", outRequestNo: "r", bizType: "CREDIT_AUTH"))
        try roundTrip(TradeAdvanceConsultModel(alipayUserId: "2088101126708402"))
    }

    @Test func numbersAreReadFromTheMerchantsLiteralsAtEveryDepth() throws {
        let order = try BizContentDecoder.decode(TradeOrderModel.self, from: try fields(
            #"{"out_trade_no":"o","total_amount":88.88,"subject":"s","goods_detail":[{"goods_id":"g","goods_name":"n","quantity":3,"price":0.07}]}"#))
        #expect(order.totalAmount == Amount(fen: 8_888))
        #expect(order.goodsDetail == [GoodsDetail(goodsId: "g", goodsName: "n", quantity: 3, price: Amount(fen: 7))])
        let settle = try BizContentDecoder.decode(TradeSettleModel.self, from: try fields(
            #"{"out_request_no":"s","trade_no":"t","royalty_parameters":[{"trans_in":"2088101126708402","amount":99999999.99}]}"#))
        #expect(settle.royaltyParameters.first?.amount == Amount(fen: 9_999_999_999))
    }

    @Test(arguments: [
        (#"{"total_amount":"1.00","subject":"s"}"#, BizContentError.missing("out_trade_no")),
        (#"{"out_trade_no":"","total_amount":"1.00","subject":"s"}"#, .missing("out_trade_no")),
        (#"{"out_trade_no":"o","total_amount":"1.00"}"#, .missing("subject")),
        (#"{"out_trade_no":"\#(String(repeating: "x", count: 65))","subject":"s"}"#, .invalid("out_trade_no")),
        (#"{"out_trade_no":"o","subject":"\#(String(repeating: "字", count: 257))"}"#, .invalid("subject")),
        (#"{"out_trade_no":"o","subject":"s","total_amount":"1.001"}"#, .invalid("total_amount")),
        (#"{"out_trade_no":"o","subject":"s","total_amount":"100000000.01"}"#, .invalid("total_amount")),
        (#"{"out_trade_no":"o","subject":"s","total_amount":true}"#, .invalid("total_amount")),
        (#"{"out_trade_no":"o","subject":"s","goods_detail":"[{\"goods_id\":\"g\"}]"}"#, .invalid("goods_detail")),
        (#"{"out_trade_no":"o","subject":"s","goods_detail":[{"goods_id":"g","goods_name":"n","quantity":1.5,"price":"1"}]}"#, .invalid("goods_detail")),
        (#"{"out_trade_no":"o","subject":"s","extend_params":[]}"#, .invalid("extend_params")),
    ])
    func malformedFieldsAreNamed(json: String, error: BizContentError) throws {
        #expect(throws: error) { try BizContentDecoder.decode(TradeOrderModel.self, from: try fields(json)) }
    }

    @Test func aFlagOrACountThatIsNotOneIsRefused() throws {
        #expect(throws: BizContentError.invalid("qrcode_width")) {
            try BizContentDecoder.decode(TradePagePayModel.self, from: try fields(#"{"out_trade_no":"o","subject":"s","qrcode_width":"wide"}"#))
        }
        #expect(throws: BizContentError.invalid("auth_confirm_mode")) {
            try BizContentDecoder.decode(TradePayModel.self, from: try fields(#"{"out_trade_no":"o","subject":"s","auth_confirm_mode":"\#(String(repeating: "C", count: 33))"}"#))
        }
    }

    /// What the gateway writes (ResponseEncoder, Alipay's JSON) ZhifuSDK decodes back unchanged.
    func responseRoundTrip<Model: OpenAPIResponseModel & Equatable>(_ model: Model) throws -> [String] {
        let members = try ResponseEncoder.fields(model)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let decoded = try decoder.decode(Model.self, from: Data(OpenAPIJSON.object(members).rendered.utf8))
        #expect(decoded == model)
        return members.map(\.0)
    }

    @Test func everyResponseTheGatewayWritesTheSDKReadsBack() throws {
        var pay = TradePayResponse(tradeNo: "t", outTradeNo: "o/1", totalAmount: Amount(fen: 100))
        pay.buyerLogonId = "159****5620"; pay.currencies.transCurrency = "USD"; pay.currencies.payAmount = Amount(fen: 700)
        pay.receiptAmount = Amount(fen: 700); pay.pointAmount = .zero; pay.gmtPayment = "2026-11-24 10:00:00"
        pay.fundBillList = [TradeFundBill(fundChannel: "ALIPAYACCOUNT", amount: Amount(fen: 700))]; pay.buyerUserId = "2088"; pay.buyerUserType = "PRIVATE"
        #expect(try responseRoundTrip(pay) == ["trade_no", "out_trade_no", "buyer_logon_id", "trans_currency", "pay_amount", "total_amount",
                                               "receipt_amount", "point_amount", "gmt_payment", "fund_bill_list", "buyer_user_id", "buyer_user_type"])
        var query = TradeQueryResponse(tradeNo: "t", outTradeNo: "o", tradeStatus: "TRADE_SUCCESS", totalAmount: Amount(fen: 1))
        query.subject = "{咖啡}"; query.passbackParams = "a=b&c"; query.currencies.settleCurrency = "USD"; query.fundBillList = []
        _ = try responseRoundTrip(query)
        var refund = TradeRefundResponse(tradeNo: "t", outTradeNo: "o", fundChange: "Y", refundFee: Amount(fen: 5))
        refund.sendBackFee = Amount(fen: 5)
        _ = try responseRoundTrip(refund)
        var refundQuery = TradeRefundQueryResponse(tradeNo: "t", outTradeNo: nil)
        refundQuery.refundStatus = "REFUND_SUCCESS"
        _ = try responseRoundTrip(refundQuery)
        var cancel = TradeCancelResponse(tradeNo: "t", outTradeNo: "o", retryFlag: "N", action: "refund")
        cancel.gmtRefundPay = "2026-11-24 10:00:00"
        _ = try responseRoundTrip(cancel)
        var consult = TradeAdvanceConsultResponse(referResult: false)
        consult.waitRepaymentOrderInfos = [WaitRepaymentOrderInfo(advanceOrderId: "a", alipayUserId: "u", waitRepaymentAmount: .zero)]
        #expect(try ResponseEncoder.fields(consult).first?.1 == .bool(false), "refer_result is a JSON boolean")
        _ = try responseRoundTrip(consult)
        _ = try responseRoundTrip(TradeNumbers(tradeNo: "t", outTradeNo: "o"))
        _ = try responseRoundTrip(TradePrecreateResponse(outTradeNo: "o", qrCode: "http://127.0.0.1:8080/qr/t"))
        _ = try responseRoundTrip(TradePageRefundResponse(tradeNo: "t", outTradeNo: "o", outRequestNo: "r", refundAmount: Amount(fen: 1)))
        _ = try responseRoundTrip(TradeSettleResponse(tradeNo: "t", settleNo: "s"))
        _ = try responseRoundTrip(TradeOrderinfoSyncResponse(tradeNo: "t", outTradeNo: "o", buyerUserId: ""))
    }

    @Test func aNumberInAResponseIsAModelMistakeNotAGuess() throws {
        struct Counted: Encodable { var count: Int }
        #expect(throws: ResponseEncoder.Failure.unsupported("count")) { try ResponseEncoder.fields(Counted(count: 1)) }
    }
}

/// One field named at run time, so that the encoder's key strategy applies (it leaves dictionary keys alone).
private struct OneField: Encodable {
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    let name: String

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(1, forKey: Key(stringValue: name))
    }
}
