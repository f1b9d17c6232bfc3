import ZhifuCore
import ZhifuProtocol

/// `alipay.trade.refund` (统一收单交易退款) and `alipay.trade.page.refund` (退款页面接口): part or
/// all of a paid trade back to the buyer, once per `out_request_no`; never more than was paid.
struct TradeRefund: OpenAPIMethod {
    var pageRefund = false
    var methodName: String { pageRefund ? "alipay.trade.page.refund" : "alipay.trade.refund" }

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> [(String, OpenAPIJSON)] {
        guard let amount = try request.amount("refund_amount") else { throw OpenAPIError.missingParameter("refund_amount") }
        // Without out_request_no the request is named by the trade's out_trade_no, as Alipay documents.
        let outRequestNo = pageRefund ? try request.required("out_request_no", maxLength: 64) : try request.string("out_request_no", maxLength: 64)
        let reason = try request.string("refund_reason", maxLength: 256)
        let trade = try await request.trade(gateway)
        let result = try await gateway.trades.refund(trade, amount: amount, outRequestNo: outRequestNo ?? trade.outTradeNo, reason: reason)
        var fields: [(String, OpenAPIJSON)] = [("trade_no", .string(trade.tradeNo)), ("out_trade_no", .string(trade.outTradeNo))]
        if pageRefund {
            return fields + [("out_request_no", .string(result.refund.outRequestNo)), ("refund_amount", .string(result.refund.amount.description))]
        }
        if let buyer = result.trade.buyer, let account = try await gateway.accounts.account(userId: buyer) {
            fields += [("buyer_logon_id", .string(TradeService.masked(account.logonId))), ("buyer_user_id", .string(buyer.rawValue))]
        }
        return fields + [("fund_change", .string(result.fundChange ? "Y" : "N")), ("refund_fee", .string(result.trade.refunded.description)),
                         ("gmt_refund_pay", .string(gateway.configuration.calendar.timestamp(result.refund.createdAt))),
                         ("send_back_fee", .string(result.refund.amount.description))]
    }
}
