import ZhifuCore
import ZhifuModels
import ZhifuProtocol

/// `alipay.trade.close` (统一收单交易关闭): closes a trade still waiting for the buyer's payment.
struct TradeClose: OpenAPIMethod {
    let methodName = "alipay.trade.close"

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> any OpenAPIResponseModel {
        let reference = try request.model(TradeReference.self)
        let trade = try await gateway.trades.close(request.trade(gateway, tradeNo: reference.tradeNo, outTradeNo: reference.outTradeNo))
        return TradeNumbers(tradeNo: trade.tradeNo, outTradeNo: trade.outTradeNo)
    }
}
