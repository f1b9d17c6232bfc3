import ZhifuCore
import ZhifuModels
import ZhifuProtocol

/// `koubei.trade.order.precreate` (口碑订单预下单): a 点餐后付 order for a table and its code, once
/// per request_id. The code opens Zhifu's page for the order; the bill comes later.
struct KoubeiOrderPrecreate: OpenAPIMethod {
    let methodName = "koubei.trade.order.precreate"

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> any OpenAPIResponseModel {
        let model = try request.model(KoubeiOrderPrecreateModel.self)
        guard model.bizType == "POST_ORDER_PAY" else { throw OpenAPIError.invalidParameter("biz_type") }
        guard let outOrderNo = model.outOrderNo else { throw OpenAPIError.missingParameter("out_order_no") }
        guard let shopId = model.shopId else { throw OpenAPIError.missingParameter("shop_id") }
        let koubei = gateway.koubei
        let stored = try await koubei.precreate(KoubeiPrecreate(partner: request.partner, requestId: model.requestId, orderNo: koubei.newOrderNo(),
                                                                bizType: model.bizType, outOrderNo: outOrderNo, shopId: shopId, createdAt: gateway.clock.now))
        return KoubeiOrderPrecreateResponse(orderNo: stored.orderNo, qrCode: "\(gateway.configuration.publicURL)/koubei/order/\(stored.orderNo)")
    }
}
