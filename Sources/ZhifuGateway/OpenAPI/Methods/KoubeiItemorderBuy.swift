import ZhifuCore
import ZhifuModels
import ZhifuProtocol

/// `koubei.trade.itemorder.buy` (口碑商品交易购买): an order of items at a shop for one buyer,
/// paid through its trade on the cashier (`trade_no`, as with page.pay). `(merchant,
/// out_order_no)` is idempotent; the same number with other content is refused.
struct KoubeiItemorderBuy: OpenAPIMethod {
    let methodName = "koubei.trade.itemorder.buy"

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> any OpenAPIResponseModel {
        let model = try request.model(KoubeiItemorderBuyModel.self)
        guard model.bizProduct == "ONLINE_TRADE_PAY" else { throw OpenAPIError.invalidParameter("biz_product") }
        guard !model.itemOrderDetails.isEmpty, model.itemOrderDetails.count <= 100 else { throw OpenAPIError.invalidParameter("item_order_details") }
        var sum: Int64 = 0
        for item in model.itemOrderDetails {
            guard item.price.fen > 0, item.originalPrice >= item.price, (1...9_999).contains(item.quantity), !item.skuId.isEmpty, item.skuId.count <= 64 else {
                throw OpenAPIError.invalidParameter("item_order_details")
            }
            sum += item.price.fen * Int64(item.quantity)
        }
        guard sum == model.totalAmount.fen else { throw KoubeiFailure.totalAmountNotMatch }
        let timeout = model.timeout ?? "3m"
        guard let seconds = OpenAPIRequest.relativeTimeoutSeconds(timeout), seconds <= 30 * 60 else { throw OpenAPIError.invalidParameter("timeout") }
        guard UserId(model.buyerId) != nil else { throw OpenAPIError.invalidParameter("buyer_id") }

        // From the decoded values: nested JSON is not kept byte for byte.
        let lines = model.itemOrderDetails.map { "\($0.skuId)|\($0.originalPrice.fen)|\($0.price.fen)|\($0.quantity)" }
        let content = [model.outOrderNo, model.subject, model.bizProduct, model.bizScene, model.shopId, model.buyerId, model.totalAmount.description] + lines
        let fingerprint = Hex.lowercase(Digest.sha256(Array(content.joined(separator: "\n").utf8)))
        let koubei = gateway.koubei
        if let existing = try await koubei.existing(partner: request.partner, outOrderNo: model.outOrderNo) {
            guard existing.fingerprint == fingerprint else { throw KoubeiFailure.orderInfoInconsistent }
            return KoubeiItemorderBuyResponse(orderNo: existing.orderNo, tradeNo: existing.tradeNo, cashierOrderId: Self.cashierOrderId())
        }
        var order = TradeOrderModel(outTradeNo: model.outOrderNo, totalAmount: model.totalAmount, subject: model.subject)
        order.buyerId = model.buyerId
        order.timeoutExpress = timeout
        var draft = try await request.tradeDraft(order, gateway: gateway, productCode: model.bizProduct)
        draft.fingerprint = fingerprint
        let trade = try await gateway.trades.create(draft)
        let orderNo = koubei.newOrderNo()
        let items = model.itemOrderDetails.enumerated().map { index, item in
            KoubeiOrder.Item(itemOrderNo: orderNo + String(format: "%02d", index + 1), skuId: item.skuId, originalPriceFen: item.originalPrice.fen,
                             priceFen: item.price.fen, quantity: Int64(item.quantity))
        }
        let stored = try await koubei.insert(KoubeiOrder(
            orderNo: orderNo, partner: request.partner, outOrderNo: model.outOrderNo, tradeNo: trade.tradeNo, shopId: model.shopId,
            buyer: UserId(model.buyerId)!, bizProduct: model.bizProduct, bizScene: model.bizScene, items: items,
            sendOrderNo: koubei.newOrderNo(), sendToken: Hex.lowercase(SecureRandom.bytes(16)), fingerprint: fingerprint, createdAt: trade.createdAt))
        return KoubeiItemorderBuyResponse(orderNo: stored.orderNo, tradeNo: stored.tradeNo, cashierOrderId: Self.cashierOrderId())
    }

    /// 收银单id: one per request (a second payment attempt asks again).
    static func cashierOrderId() -> String { "C" + SecureRandom.digits(31) }
}
