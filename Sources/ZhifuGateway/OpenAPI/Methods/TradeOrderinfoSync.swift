import ZhifuCore
import ZhifuProtocol

/// `alipay.trade.orderinfo.sync` (支付宝订单信息同步): the merchant reports what became of a paid
/// order (`biz_type` CREDIT_AUTH, CREDIT_DEDUCT, …). Zhifu checks it names a paid trade of the
/// merchant and acknowledges it; nothing moves.
struct TradeOrderinfoSync: OpenAPIMethod {
    let methodName = "alipay.trade.orderinfo.sync"

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> [(String, OpenAPIJSON)] {
        _ = try request.required("out_request_no", maxLength: 64)
        _ = try request.required("biz_type", maxLength: 32)
        let trade = try await request.trade(gateway)
        guard trade.status.isPaid || trade.details.paidAt != nil else { throw TradeFailure.tradeStatusError }
        return [("trade_no", .string(trade.tradeNo)), ("out_trade_no", .string(trade.outTradeNo)),
                ("buyer_user_id", .string(trade.buyer?.rawValue ?? ""))]
    }
}
