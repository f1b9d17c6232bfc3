import ZhifuCore
import ZhifuProtocol

/// `alipay.trade.create` (统一收单交易创建): a trade waiting for the buyer (WAIT_BUYER_PAY).
/// `(merchant, out_trade_no)` is idempotent: the same content returns the same trade; other
/// content is ACQ.CONTEXT_INCONSISTENT.
struct TradeCreate: OpenAPIMethod {
    let methodName = "alipay.trade.create"

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> [(String, OpenAPIJSON)] {
        let trade = try await gateway.trades.create(request.tradeDraft(gateway: gateway, productCode: "FACE_TO_FACE_PAYMENT"))
        return [("out_trade_no", .string(trade.outTradeNo)), ("trade_no", .string(trade.tradeNo))]
    }
}
