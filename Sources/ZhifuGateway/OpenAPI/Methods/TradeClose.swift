import ZhifuCore
import ZhifuProtocol

/// `alipay.trade.close` (统一收单交易关闭): closes a trade still waiting for the buyer's payment.
struct TradeClose: OpenAPIMethod {
    static let name = "alipay.trade.close"

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> [(String, OpenAPIJSON)] {
        let trade = try await request.trade(in: gateway.store)
        guard trade.status == .waitBuyerPay,
              try await gateway.store.changeTrade(tradeNo: trade.tradeNo, from: .waitBuyerPay, to: .tradeClosed, transfers: []) == .changed else {
            throw OpenAPIError.tradeStatusError
        }
        return [("trade_no", .string(trade.tradeNo)), ("out_trade_no", .string(trade.outTradeNo))]
    }
}
