import ZhifuCore
import ZhifuModels
import ZhifuProtocol

/// `koubei.trade.ticket.ticketcode.query` (口碑凭证码查询): a ticket's status at a shop, its validity,
/// uses left and every line of its history. Only the merchant's own tickets are found.
struct KoubeiTicketcodeQuery: OpenAPIMethod {
    let methodName = "koubei.trade.ticket.ticketcode.query"

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> any OpenAPIResponseModel {
        let model = try request.model(KoubeiTicketcodeQueryModel.self)
        let koubei = gateway.koubei
        let (ticket, order, trade) = try await koubei.ticket(code: model.ticketCode, partner: request.partner)
        let status = koubei.status(ticket, order: order, trade: trade, shopId: model.shopId)
        let calendar = gateway.configuration.calendar
        let lines = try await koubei.history(code: ticket.ticketCode).map {
            KoubeiTicketTransInfo(ticketTransId: $0.transId, ticketTransType: $0.kind.rawValue, quantity: String($0.quantity),
                                  createTime: calendar.timestamp($0.createdAt), lastModifyTime: calendar.timestamp($0.createdAt))
        }
        var response = KoubeiTicketcodeQueryResponse(
            ticketCode: ticket.ticketCode, ticketStatus: status.rawValue, ticketStatusDesc: status.description, orderNo: order.orderNo,
            effectDate: calendar.timestamp(ticket.validStart), expireDate: calendar.timestamp(ticket.validEnd),
            timeCards: ticket.totalQuantity > 1 ? "true" : "false", totalQuantity: String(ticket.totalQuantity),
            availableQuantity: String(ticket.availableQuantity), ticketTransInfoList: lines)
        response.itemName = trade.subject
        if let first = order.items.first {
            response.originalPrice = Amount(fen: first.originalPriceFen)
            response.currentPrice = first.price
        }
        return response
    }
}
