import ZhifuCore
import ZhifuModels
import ZhifuProtocol

/// `koubei.trade.itemorder.query` (口碑商品交易查询): the order, its status read from its trade, and
/// each item with what is left of it after refunds.
struct KoubeiItemorderQuery: OpenAPIMethod {
    let methodName = "koubei.trade.itemorder.query"

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> any OpenAPIResponseModel {
        let model = try request.model(KoubeiItemorderQueryModel.self)
        let order = try await gateway.koubei.order(orderNo: model.orderNo, partner: request.partner)
        let trade = try await gateway.trades.trade(tradeNo: order.tradeNo, outTradeNo: nil, partner: request.partner)
        var refunded: [String: Int64] = [:]
        for refund in try await gateway.trades.refunds(tradeNo: trade.tradeNo) {
            for (item, fen) in refund.items ?? [:] { refunded[item, default: 0] += fen }
        }
        let calendar = gateway.configuration.calendar
        let status = KoubeiOrder.status(of: trade)
        let items = order.items.map { item in
            let itemStatus = status == "SUCCESS" && refunded[item.itemOrderNo, default: 0] >= item.totalFen ? "FINISH" : status
            return KoubeiItemOrderVO(itemOrderNo: item.itemOrderNo, skuId: item.skuId, price: item.price, quantity: String(item.quantity), status: itemStatus)
        }
        var response = KoubeiItemorderQueryResponse(orderNo: order.orderNo, outOrderNo: order.outOrderNo, partnerId: order.partner.rawValue, status: status,
                                                    buyerId: order.buyer.rawValue, bizProduct: order.bizProduct,
                                                    gmtCreate: calendar.timestamp(order.createdAt), totalAmount: trade.amount, itemOrderVo: items)
        response.tradeNo = trade.tradeNo
        response.sellerId = order.partner.rawValue
        response.gmtPayment = trade.details.paidAt.map(calendar.timestamp)
        response.gmtModified = [trade.details.paidAt, trade.details.lastRefundAt, trade.details.closedAt].compactMap { $0 }.max().map(calendar.timestamp)
        response.discountAmount = .zero
        if trade.details.paidAt != nil {
            response.realPayAmount = trade.amount
            response.deliverSellerRealAmount = trade.refundable
        }
        return response
    }
}
