import ZhifuCore
import ZhifuModels
import ZhifuProtocol

/// `alipay.trade.precreate` (统一收单线下交易预创建): a trade and the `qr_code` URL the buyer
/// scans; the URL opens Zhifu's cashier for the trade, and `<qr_code>/image.svg` draws it. As on
/// Alipay, the trade exists for query, close and refund only once a buyer has scanned the code.
struct TradePrecreate: OpenAPIMethod {
    let methodName = "alipay.trade.precreate"
    /// Alipay's QR codes stay valid for two hours unless timeout_express says otherwise.
    static let defaultTimeoutSeconds: Int64 = 2 * 3_600

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> any OpenAPIResponseModel {
        let order = try request.model(TradeOrderModel.self)
        var draft = try await request.tradeDraft(order, gateway: gateway, productCode: "FACE_TO_FACE_PAYMENT", defaultTimeoutSeconds: Self.defaultTimeoutSeconds)
        draft.details.awaitingScan = true
        let trade = try await gateway.trades.create(draft)
        if let failure = TradeFailure.unpayable(trade.status) { throw failure }
        return TradePrecreateResponse(outTradeNo: trade.outTradeNo, qrCode: Cashier.qrCodeURL(trade, gateway: gateway))
    }
}
