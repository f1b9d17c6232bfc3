import ZhifuCore
import ZhifuModels
import ZhifuProtocol

/// `alipay.trade.create` (统一收单交易创建): a trade waiting for the buyer (WAIT_BUYER_PAY).
/// `(merchant, out_trade_no)` is idempotent: the same content returns the same trade; other
/// content is ACQ.CONTEXT_INCONSISTENT.
struct TradeCreate: OpenAPIMethod {
    let methodName = "alipay.trade.create"

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> any OpenAPIResponseModel {
        let order = try request.model(TradeOrderModel.self)
        let trade = try await gateway.trades.create(request.tradeDraft(order, gateway: gateway, productCode: "FACE_TO_FACE_PAYMENT"))
        return TradeNumbers(tradeNo: trade.tradeNo, outTradeNo: trade.outTradeNo)
    }
}
