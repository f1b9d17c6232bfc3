import Foundation
@_exported import ZhifuModels
import ZhifuProtocol

/// `alipay.trade.*` as typed calls. Request and response models are ZhifuModels' (snake_case on
/// the wire), the same types the gateway reads and writes.
public struct AlipayTrade: Sendable {
    let client: AlipayClient

    func call<Response: Decodable>(_ method: String, _ model: some Encodable, notifyURL: String? = nil) async throws -> Response {
        try await client.call(method, model, notifyURL: notifyURL)
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

    /// 统一收单交易退款 (异步): REFUND_SUCCESS at once, or REFUND_PROCESSING while the seller's balance is short.
    public func refundApply(_ model: TradeRefundApplyModel) async throws -> TradeRefundApplyResponse {
        try await call("alipay.trade.refund.apply", model)
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
        try await call("alipay.trade.advance.consult", TradeAdvanceConsultModel(alipayUserId: alipayUserId))
    }

    /// 统一收单退款页面接口.
    public func pageRefund(_ model: RefundModel) async throws -> PageRefundResponse {
        try await call("alipay.trade.page.refund", model)
    }

    /// page.pay (电脑网站支付) or wap.pay (手机网站支付) of a plain order: the URL the buyer's browser goes to.
    public func pageURL(_ order: OrderModel, wap: Bool = false, returnURL: String? = nil, notifyURL: String? = nil) throws -> String {
        wap ? try wapPayURL(TradeWapPayModel(order: order), returnURL: returnURL, notifyURL: notifyURL)
            : try pagePayURL(TradePagePayModel(order: order), returnURL: returnURL, notifyURL: notifyURL)
    }

    /// page.pay (电脑网站支付), with its `qr_pay_mode` / `qrcode_width`.
    public func pagePayURL(_ model: TradePagePayModel, returnURL: String? = nil, notifyURL: String? = nil) throws -> String {
        try client.pageURL(method: "alipay.trade.page.pay", bizContent: model, returnURL: returnURL, notifyURL: notifyURL)
    }

    /// wap.pay (手机网站支付), with its `quit_url`.
    public func wapPayURL(_ model: TradeWapPayModel, returnURL: String? = nil, notifyURL: String? = nil) throws -> String {
        try client.pageURL(method: "alipay.trade.wap.pay", bizContent: model, returnURL: returnURL, notifyURL: notifyURL)
    }

    /// app.pay (APP支付): the order string for the wallet.
    public func appOrderString(_ model: OrderModel, notifyURL: String? = nil) throws -> String {
        try client.appOrderString(bizContent: model, notifyURL: notifyURL)
    }

    // The models are ZhifuModels' (the gateway decodes and encodes the same types); the names
    // below are the SDK's shorter ones.
    public typealias OrderModel = TradeOrderModel
    public typealias PayModel = TradePayModel
    public typealias TradeReference = ZhifuModels.TradeReference
    public typealias RefundModel = TradeRefundModel
    public typealias RefundQueryModel = TradeRefundQueryModel
    public typealias Royalty = RoyaltyDetail
    public typealias SettleModel = TradeSettleModel
    public typealias OrderinfoSyncModel = TradeOrderinfoSyncModel

    public typealias TradeNumbers = ZhifuModels.TradeNumbers
    public typealias FundBill = TradeFundBill
    public typealias PaymentResponse = TradePayResponse
    public typealias PrecreateResponse = TradePrecreateResponse
    public typealias QueryResponse = TradeQueryResponse
    public typealias CancelResponse = TradeCancelResponse
    public typealias RefundResponse = TradeRefundResponse
    public typealias RefundQueryResponse = TradeRefundQueryResponse
    public typealias SettleResponse = TradeSettleResponse
    public typealias OrderinfoSyncResponse = TradeOrderinfoSyncResponse
    public typealias AdvanceConsultResponse = TradeAdvanceConsultResponse
    public typealias PageRefundResponse = TradePageRefundResponse
}
