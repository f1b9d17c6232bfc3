import ZhifuCore
import ZhifuModels
import ZhifuProtocol

/// `alipay.trade.cancel` (统一收单交易撤销): undoes a trade whatever became of it. An unpaid trade is
/// closed (`action` close); a paid one is refunded in full and closed in one transaction (`action`
/// refund). Cancelling again answers the same way and moves no money twice. A precreated code
/// nobody has scanned is closed too, and can no longer be paid.
struct TradeCancel: OpenAPIMethod {
    let methodName = "alipay.trade.cancel"

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> any OpenAPIResponseModel {
        let reference = try request.model(TradeReference.self)
        let found = try await request.trade(gateway, tradeNo: reference.tradeNo, outTradeNo: reference.outTradeNo, includingUnscanned: true)
        let (trade, action) = try await gateway.trades.cancel(found)
        var response = TradeCancelResponse(tradeNo: trade.tradeNo, outTradeNo: trade.outTradeNo, retryFlag: "N", action: action.rawValue)
        // 退款时间: Alipay gives it when the cancel refunded a paid trade.
        if action == .refund, let refundedAt = trade.details.lastRefundAt {
            response.gmtRefundPay = gateway.configuration.calendar.timestamp(refundedAt)
        }
        return response
    }
}
