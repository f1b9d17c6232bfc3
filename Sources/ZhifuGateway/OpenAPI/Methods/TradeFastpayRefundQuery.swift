import ZhifuCore
import ZhifuModels
import ZhifuProtocol

/// `alipay.trade.fastpay.refund.query` (统一收单交易退款查询): one refund by its `out_request_no`.
/// A refund never made answers 10000 without refund fields, as Alipay does. `out_request_no` is
/// required: a refund sent without one is found under the trade's `out_trade_no`.
struct TradeFastpayRefundQuery: OpenAPIMethod {
    let methodName = "alipay.trade.fastpay.refund.query"

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> any OpenAPIResponseModel {
        let model = try request.model(TradeRefundQueryModel.self)
        let trade = try await request.trade(gateway, tradeNo: model.tradeNo, outTradeNo: model.outTradeNo)
        var response = TradeRefundQueryResponse(tradeNo: trade.tradeNo, outTradeNo: trade.outTradeNo)
        guard let refund = try await gateway.trades.refund(tradeNo: trade.tradeNo, outRequestNo: model.outRequestNo) else { return response }
        response.outRequestNo = refund.outRequestNo
        response.totalAmount = trade.amount
        response.refundAmount = refund.amount
        response.refundStatus = "REFUND_SUCCESS"
        response.gmtRefundPay = gateway.configuration.calendar.timestamp(refund.createdAt)
        response.refundReason = refund.reason
        return response
    }
}
