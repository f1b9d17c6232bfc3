import ZhifuCore
import ZhifuProtocol

/// `alipay.trade.cancel` (统一收单交易撤销): undoes a trade whatever became of it. An unpaid trade is
/// closed (`action` close); a paid one is refunded in full and closed in one transaction (`action`
/// refund). Cancelling again answers the same way and moves no money twice. A precreated code
/// nobody has scanned is closed too, and can no longer be paid.
struct TradeCancel: OpenAPIMethod {
    let methodName = "alipay.trade.cancel"

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> [(String, OpenAPIJSON)] {
        let (trade, action) = try await gateway.trades.cancel(request.trade(gateway, includingUnscanned: true))
        var fields: [(String, OpenAPIJSON)] = [("trade_no", .string(trade.tradeNo)), ("out_trade_no", .string(trade.outTradeNo)),
                                               ("retry_flag", .string("N")), ("action", .string(action.rawValue))]
        // 退款时间: Alipay gives it when the cancel refunded a paid trade.
        if action == .refund, let refundedAt = trade.details.lastRefundAt {
            fields.append(("gmt_refund_pay", .string(gateway.configuration.calendar.timestamp(refundedAt))))
        }
        return fields
    }
}
