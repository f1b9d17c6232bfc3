import ZhifuCore
import ZhifuProtocol

/// `alipay.trade.close` (统一收单交易关闭): closes a trade still waiting for the buyer's payment.
struct TradeClose: OpenAPIMethod {
    let methodName = "alipay.trade.close"

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> [(String, OpenAPIJSON)] {
        let trade = try await gateway.trades.close(request.trade(gateway))
        return [("trade_no", .string(trade.tradeNo)), ("out_trade_no", .string(trade.outTradeNo))]
    }
}
