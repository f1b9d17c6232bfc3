import ZhifuCore
import ZhifuModels
import ZhifuProtocol

/// `alipay.trade.refund` (统一收单交易退款) and `alipay.trade.page.refund` (退款页面接口): part or
/// all of a paid trade back to the buyer, once per `out_request_no`; never more than was paid.
struct TradeRefund: OpenAPIMethod {
    var pageRefund = false
    var methodName: String { pageRefund ? "alipay.trade.page.refund" : "alipay.trade.refund" }

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> any OpenAPIResponseModel {
        let model = try request.model(TradeRefundModel.self)
        if pageRefund, model.outRequestNo == nil { throw OpenAPIError.missingParameter("out_request_no") }
        let trade = try await request.trade(gateway, tradeNo: model.tradeNo, outTradeNo: model.outTradeNo)
        // Without out_request_no the request is named by the trade's out_trade_no, as Alipay documents.
        let result = try await gateway.trades.refund(trade, amount: model.refundAmount, outRequestNo: model.outRequestNo ?? trade.outTradeNo,
                                                     reason: model.refundReason)
        if pageRefund {
            return TradePageRefundResponse(tradeNo: trade.tradeNo, outTradeNo: trade.outTradeNo, outRequestNo: result.refund.outRequestNo,
                                           refundAmount: result.refund.amount)
        }
        var response = TradeRefundResponse(tradeNo: trade.tradeNo, outTradeNo: trade.outTradeNo, fundChange: result.fundChange ? "Y" : "N",
                                           refundFee: result.trade.refunded)
        if let buyer = result.trade.buyer, let account = try await gateway.accounts.account(userId: buyer) {
            response.buyerLogonId = TradeService.masked(account.logonId)
            response.buyerUserId = buyer.rawValue
        }
        response.gmtRefundPay = gateway.configuration.calendar.timestamp(result.refund.createdAt)
        response.sendBackFee = result.refund.amount
        return response
    }
}
