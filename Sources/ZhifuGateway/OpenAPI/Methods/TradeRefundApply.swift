import ZhifuCore
import ZhifuModels
import ZhifuProtocol

/// `alipay.trade.refund.apply` (统一收单交易退款, 异步): accepted once per out_request_no; made at
/// once when the seller's balance allows (REFUND_SUCCESS), otherwise REFUND_PROCESSING and tried
/// again on the gateway clock. `alipay.trade.fastpay.refund.query` follows it.
struct TradeRefundApply: OpenAPIMethod {
    let methodName = "alipay.trade.refund.apply"

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> any OpenAPIResponseModel {
        let model = try request.model(TradeRefundApplyModel.self)
        for (field, json) in [("refund_fund_details", model.refundFundDetails), ("extend_params", model.extendParams)] {
            if let json, (try? BizContent.parse(json)) == nil, !json.hasPrefix("[") { throw OpenAPIError.invalidParameter(field) }
        }
        let trade = try await request.trade(gateway, tradeNo: model.tradeNo, outTradeNo: model.outTradeNo)
        let application = try await gateway.trades.applyRefund(trade, amount: model.refundAmount, outRequestNo: model.outRequestNo,
                                                               reason: model.refundReason)
        return TradeRefundApplyResponse(tradeNo: trade.tradeNo, outTradeNo: trade.outTradeNo, outRequestNo: application.outRequestNo,
                                        refundAmount: application.amount, refundStatus: application.status.rawValue)
    }
}
