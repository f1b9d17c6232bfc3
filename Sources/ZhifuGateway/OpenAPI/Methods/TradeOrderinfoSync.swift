import ZhifuCore
import ZhifuModels
import ZhifuProtocol

/// `alipay.trade.orderinfo.sync` (支付宝订单信息同步): the merchant reports what became of a paid
/// order (`biz_type` CREDIT_AUTH, CREDIT_DEDUCT, …). Zhifu checks it names a paid trade of the
/// merchant and acknowledges it; nothing moves.
struct TradeOrderinfoSync: OpenAPIMethod {
    let methodName = "alipay.trade.orderinfo.sync"

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> any OpenAPIResponseModel {
        let model = try request.model(TradeOrderinfoSyncModel.self)
        let trade = try await request.trade(gateway, tradeNo: model.tradeNo, outTradeNo: model.outTradeNo)
        guard trade.status.isPaid || trade.details.paidAt != nil else { throw TradeFailure.tradeStatusError }
        return TradeOrderinfoSyncResponse(tradeNo: trade.tradeNo, outTradeNo: trade.outTradeNo, buyerUserId: trade.buyer?.rawValue ?? "")
    }
}
