import Foundation
import ZhifuProtocol

/// `alipay.trade.*` as typed calls. Request models carry the documented biz_content fields
/// (snake_case on the wire); responses decode the fields merchants act on.
public struct AlipayTrade: Sendable {
    let client: AlipayClient

    func call<Response: Decodable>(_ method: String, _ model: some Encodable, notifyURL: String? = nil) async throws -> Response {
        try AlipayClient.decode(Response.self, from: try await client.execute(method: method, bizContent: model, notifyURL: notifyURL))
    }

    /// 统一收单交易支付 (条码支付): pays with the buyer's payment code.
    public func pay(_ model: PayModel, notifyURL: String? = nil) async throws -> PaymentResponse {
        try await call("alipay.trade.pay", model, notifyURL: notifyURL)
    }

    /// 统一收单线下交易预创建: a QR code for the buyer to scan.
    public func precreate(_ model: OrderModel, notifyURL: String? = nil) async throws -> PrecreateResponse {
        try await call("alipay.trade.precreate", model, notifyURL: notifyURL)
    }

    /// 统一收单交易创建.
    public func create(_ model: OrderModel, notifyURL: String? = nil) async throws -> TradeNumbers {
        try await call("alipay.trade.create", model, notifyURL: notifyURL)
    }

    /// 统一收单线下交易查询.
    public func query(_ trade: TradeReference) async throws -> QueryResponse {
        try await call("alipay.trade.query", trade)
    }

    /// 统一收单交易关闭.
    public func close(_ trade: TradeReference) async throws -> TradeNumbers {
        try await call("alipay.trade.close", trade)
    }

    /// 统一收单交易撤销.
    public func cancel(_ trade: TradeReference) async throws -> CancelResponse {
        try await call("alipay.trade.cancel", trade)
    }

    /// 统一收单交易退款.
    public func refund(_ model: RefundModel) async throws -> RefundResponse {
        try await call("alipay.trade.refund", model)
    }

    /// 统一收单交易退款查询.
    public func fastpayRefundQuery(_ model: RefundQueryModel) async throws -> RefundQueryResponse {
        try await call("alipay.trade.fastpay.refund.query", model)
    }

    /// 统一收单交易结算 (分账): pays parts of a paid trade on to other accounts, once per out_request_no.
    public func orderSettle(_ model: SettleModel) async throws -> SettleResponse {
        try await call("alipay.trade.order.settle", model)
    }

    /// 支付宝订单信息同步.
    public func orderinfoSync(_ model: OrderinfoSyncModel) async throws -> OrderinfoSyncResponse {
        try await call("alipay.trade.orderinfo.sync", model)
    }

    /// 交易垫资咨询.
    public func advanceConsult(alipayUserId: String) async throws -> AdvanceConsultResponse {
        try await call("alipay.trade.advance.consult", ["alipay_user_id": alipayUserId])
    }

    /// 统一收单退款页面接口.
    public func pageRefund(_ model: RefundModel) async throws -> PageRefundResponse {
        try await call("alipay.trade.page.refund", model)
    }

    /// page.pay (电脑网站支付) or wap.pay (手机网站支付): the URL the buyer's browser goes to.
    public func pageURL(_ model: OrderModel, wap: Bool = false, returnURL: String? = nil, notifyURL: String? = nil) throws -> String {
        try client.pageURL(method: wap ? "alipay.trade.wap.pay" : "alipay.trade.page.pay", bizContent: model, returnURL: returnURL, notifyURL: notifyURL)
    }

    /// app.pay (APP支付): the order string for the wallet.
    public func appOrderString(_ model: OrderModel, notifyURL: String? = nil) throws -> String {
        try client.appOrderString(bizContent: model, notifyURL: notifyURL)
    }

    // MARK: Request models

    /// The order fields of create, precreate, page.pay, wap.pay and app.pay.
    public struct OrderModel: Encodable, Sendable {
        public var outTradeNo: String
        public var totalAmount: Amount
        public var subject: String
        public var body: String?
        public var productCode: String?
        public var buyerId: String?
        public var buyerLogonId: String?
        public var sellerId: String?
        public var timeoutExpress: String?
        public var timeExpire: String?
        public var passbackParams: String?
        public var storeId: String?
        public var operatorId: String?
        public var terminalId: String?
        public var discountableAmount: Amount?
        public var undiscountableAmount: Amount?
        public var transCurrency: String?
        public var settleCurrency: String?
        /// page.pay: 0, 1, 3, 4 embed the order's QR code; 2 or none go to the cashier.
        public var qrPayMode: String?
        public var qrcodeWidth: Int?
        /// wap.pay: where the cashier's way back goes.
        public var quitUrl: String?

        public init(outTradeNo: String, totalAmount: Amount, subject: String) {
            self.outTradeNo = outTradeNo; self.totalAmount = totalAmount; self.subject = subject
        }
    }

    /// alipay.trade.pay's biz_content: the order and the payment code.
    public struct PayModel: Encodable, Sendable {
        public var order: OrderModel
        /// `bar_code` or `wave_code`.
        public var scene: String
        public var authCode: String

        public init(order: OrderModel, scene: String = "bar_code", authCode: String) {
            self.order = order; self.scene = scene; self.authCode = authCode
        }

        public func encode(to encoder: any Encoder) throws {
            try order.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(scene, forKey: .scene)
            try container.encode(authCode, forKey: .authCode)
        }

        enum CodingKeys: String, CodingKey { case scene, authCode }
    }

    /// A trade by trade_no or out_trade_no (query, close, cancel).
    public struct TradeReference: Encodable, Sendable {
        public var tradeNo: String?
        public var outTradeNo: String?
        public init(tradeNo: String? = nil, outTradeNo: String? = nil) { self.tradeNo = tradeNo; self.outTradeNo = outTradeNo }
    }

    public struct RefundModel: Encodable, Sendable {
        public var tradeNo: String?
        public var outTradeNo: String?
        public var refundAmount: Amount
        /// Needed for partial refunds; without it the refund is named by out_trade_no.
        public var outRequestNo: String?
        public var refundReason: String?

        public init(tradeNo: String? = nil, outTradeNo: String? = nil, refundAmount: Amount, outRequestNo: String? = nil, refundReason: String? = nil) {
            self.tradeNo = tradeNo; self.outTradeNo = outTradeNo; self.refundAmount = refundAmount
            self.outRequestNo = outRequestNo; self.refundReason = refundReason
        }
    }

    public struct RefundQueryModel: Encodable, Sendable {
        public var tradeNo: String?
        public var outTradeNo: String?
        public var outRequestNo: String
        public init(tradeNo: String? = nil, outTradeNo: String? = nil, outRequestNo: String) {
            self.tradeNo = tradeNo; self.outTradeNo = outTradeNo; self.outRequestNo = outRequestNo
        }
    }

    public struct Royalty: Encodable, Sendable {
        public var transIn: String
        public var amount: Amount
        public var desc: String?
        public init(transIn: String, amount: Amount, desc: String? = nil) { self.transIn = transIn; self.amount = amount; self.desc = desc }
    }

    public struct SettleModel: Encodable, Sendable {
        public var outRequestNo: String
        public var tradeNo: String
        public var royaltyParameters: [Royalty]
        public init(outRequestNo: String, tradeNo: String, royaltyParameters: [Royalty]) {
            self.outRequestNo = outRequestNo; self.tradeNo = tradeNo; self.royaltyParameters = royaltyParameters
        }
    }

    public struct OrderinfoSyncModel: Encodable, Sendable {
        public var tradeNo: String
        public var outRequestNo: String
        /// CREDIT_AUTH, CREDIT_DEDUCT, …
        public var bizType: String
        public init(tradeNo: String, outRequestNo: String, bizType: String) { self.tradeNo = tradeNo; self.outRequestNo = outRequestNo; self.bizType = bizType }
    }

    // MARK: Response models

    public struct SettleResponse: Decodable, Sendable {
        public var tradeNo: String
        /// 支付宝结算流水号: the same on a repeated request.
        public var settleNo: String?
    }

    public struct OrderinfoSyncResponse: Decodable, Sendable {
        public var tradeNo: String
        public var buyerUserId: String?
    }

    public struct AdvanceConsultResponse: Decodable, Sendable {
        public var referResult: Bool
        public var waitRepaymentAmount: Amount?
        public var waitRepaymentOrderCount: String?
    }

    public struct PageRefundResponse: Decodable, Sendable {
        public var tradeNo: String
        public var outTradeNo: String
        public var outRequestNo: String
        public var refundAmount: Amount
    }

    public struct TradeNumbers: Decodable, Sendable {
        public var tradeNo: String?
        public var outTradeNo: String?
    }

    public struct FundBill: Decodable, Sendable, Equatable {
        public var fundChannel: String
        public var amount: Amount
    }

    public struct PaymentResponse: Decodable, Sendable {
        public var tradeNo: String
        public var outTradeNo: String
        public var buyerLogonId: String?
        public var buyerUserId: String?
        public var totalAmount: Amount
        public var receiptAmount: Amount?
        public var buyerPayAmount: Amount?
        public var gmtPayment: String?
        public var fundBillList: [FundBill]?
    }

    public struct PrecreateResponse: Decodable, Sendable {
        public var outTradeNo: String
        /// The URL to encode as the QR code the buyer scans.
        public var qrCode: String
    }

    public struct QueryResponse: Decodable, Sendable {
        public var tradeNo: String
        public var outTradeNo: String
        /// WAIT_BUYER_PAY, TRADE_CLOSED, TRADE_SUCCESS, TRADE_FINISHED.
        public var tradeStatus: String
        public var totalAmount: Amount
        public var buyerLogonId: String?
        public var buyerUserId: String?
        public var subject: String?
        public var body: String?
        public var passbackParams: String?
        public var sendPayDate: String?
        public var storeId: String?
        public var terminalId: String?
    }

    public struct CancelResponse: Decodable, Sendable {
        public var tradeNo: String?
        public var outTradeNo: String?
        public var retryFlag: String
        /// `close` or `refund`.
        public var action: String?
    }

    public struct RefundResponse: Decodable, Sendable {
        public var tradeNo: String
        public var outTradeNo: String
        /// `Y` when this call moved money; `N` for a repeat.
        public var fundChange: String
        /// The trade's refunded total.
        public var refundFee: Amount
        public var gmtRefundPay: String?
    }

    public struct RefundQueryResponse: Decodable, Sendable {
        public var tradeNo: String?
        public var outTradeNo: String?
        public var outRequestNo: String?
        public var refundAmount: Amount?
        public var refundStatus: String?
        public var refundReason: String?
    }
}
