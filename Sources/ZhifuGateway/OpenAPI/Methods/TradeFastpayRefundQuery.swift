import ZhifuCore
import ZhifuModels
import ZhifuProtocol

/// `alipay.trade.fastpay.refund.query` (统一收单交易退款查询): one refund by its `out_request_no`.
/// A refund never made answers 10000 without refund fields, as Alipay does; a refund.apply still
/// being tried answers REFUND_PROCESSING. `out_request_no` is
/// required: a refund sent without one is found under the trade's `out_trade_no`.
struct TradeFastpayRefundQuery: OpenAPIMethod {
    let methodName = "alipay.trade.fastpay.refund.query"

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> any OpenAPIResponseModel {
        let model = try request.model(TradeRefundQueryModel.self)
        let trade = try await request.trade(gateway, tradeNo: model.tradeNo, outTradeNo: model.outTradeNo)
        var response = TradeRefundQueryResponse(tradeNo: trade.tradeNo, outTradeNo: trade.outTradeNo)
        guard let refund = try await gateway.trades.refund(tradeNo: trade.tradeNo, outRequestNo: model.outRequestNo) else {
            // A refund.apply still being tried shows as processing; a failed one as never made.
            if let application = try await gateway.trades.refundApplication(tradeNo: trade.tradeNo, outRequestNo: model.outRequestNo),
               application.status == .processing {
                response.outRequestNo = application.outRequestNo
                response.totalAmount = trade.amount
                response.refundAmount = application.amount
                response.refundStatus = application.status.rawValue
                response.refundReason = application.reason
            }
            return response
        }
        response.outRequestNo = refund.outRequestNo
        response.totalAmount = trade.amount
        response.refundAmount = refund.amount
        response.refundStatus = "REFUND_SUCCESS"
        response.gmtRefundPay = gateway.configuration.calendar.timestamp(refund.createdAt)
        response.refundReason = refund.reason
        return response
    }
}
