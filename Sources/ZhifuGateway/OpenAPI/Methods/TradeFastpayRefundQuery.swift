import ZhifuCore
import ZhifuProtocol

/// `alipay.trade.fastpay.refund.query` (统一收单交易退款查询): one refund by its `out_request_no`.
/// A refund never made answers 10000 without refund fields, as Alipay does. `out_request_no` is
/// required: a refund sent without one is found under the trade's `out_trade_no`.
struct TradeFastpayRefundQuery: OpenAPIMethod {
    let methodName = "alipay.trade.fastpay.refund.query"

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> [(String, OpenAPIJSON)] {
        let outRequestNo = try request.required("out_request_no", maxLength: 64)
        let trade = try await request.trade(gateway)
        var fields: [(String, OpenAPIJSON)] = [("trade_no", .string(trade.tradeNo)), ("out_trade_no", .string(trade.outTradeNo))]
        guard let refund = try await gateway.trades.refund(tradeNo: trade.tradeNo, outRequestNo: outRequestNo) else { return fields }
        fields += [("out_request_no", .string(refund.outRequestNo)), ("total_amount", .string(trade.amount.description)),
                   ("refund_amount", .string(refund.amount.description)), ("refund_status", .string("REFUND_SUCCESS")),
                   ("gmt_refund_pay", .string(gateway.configuration.calendar.timestamp(refund.createdAt)))]
        if let reason = refund.reason { fields.append(("refund_reason", .string(reason))) }
        return fields
    }
}
