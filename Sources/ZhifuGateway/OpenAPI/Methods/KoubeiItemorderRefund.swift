import ZhifuCore
import ZhifuModels
import ZhifuProtocol

/// `koubei.trade.itemorder.refund` (口碑商品交易退货): part or all of some items back to the buyer,
/// once per out_request_no; each item at most what it cost less its earlier refunds. A refund of
/// everything finishes the order (FINISH) and its unused tickets read REFUNDED.
struct KoubeiItemorderRefund: OpenAPIMethod {
    let methodName = "koubei.trade.itemorder.refund"

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> any OpenAPIResponseModel {
        let model = try request.model(KoubeiItemorderRefundModel.self)
        let order = try await gateway.koubei.order(orderNo: model.orderNo, partner: request.partner)
        let limits = Dictionary(uniqueKeysWithValues: order.items.map { ($0.itemOrderNo, Amount(fen: $0.totalFen)) })
        var amounts: [String: Amount] = [:]
        for info in model.refundInfos {
            guard limits[info.itemOrderNo] != nil, amounts[info.itemOrderNo] == nil, info.amount.fen > 0 else {
                throw OpenAPIError.invalidParameter("refund_infos")
            }
            amounts[info.itemOrderNo] = info.amount
        }
        guard let total = Amount.sum(amounts.values), total.fen > 0 else { throw OpenAPIError.invalidParameter("refund_infos") }
        let trade = try await gateway.trades.trade(tradeNo: order.tradeNo, outTradeNo: nil, partner: request.partner)
        let result = try await gateway.trades.refund(trade, amount: total, outRequestNo: model.outRequestNo, reason: model.reason,
                                                     items: ItemRefunds(amounts: amounts, limits: limits))
        return KoubeiItemorderRefundResponse(orderNo: order.orderNo, outRequestNo: result.refund.outRequestNo, realRefundAmount: result.refund.amount)
    }
}
