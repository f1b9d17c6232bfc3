import ZhifuCore
import ZhifuProtocol

/// `alipay.trade.cancel` (统一收单交易撤销): undoes a trade whatever became of it. An unpaid trade is
/// closed (`action` close); a paid one is refunded in full and closed in one transaction (`action`
/// refund). Cancelling again answers the same way and moves no money twice.
struct TradeCancel: OpenAPIMethod {
    let methodName = "alipay.trade.cancel"

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> [(String, OpenAPIJSON)] {
        let (trade, action) = try await gateway.trades.cancel(request.trade(gateway))
        return [("trade_no", .string(trade.tradeNo)), ("out_trade_no", .string(trade.outTradeNo)), ("retry_flag", .string("N")),
                ("action", .string(action.rawValue))]
    }
}
