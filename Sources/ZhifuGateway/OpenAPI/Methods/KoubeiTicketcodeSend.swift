import Foundation
import ZhifuCore
import ZhifuModels
import ZhifuProtocol

/// `koubei.trade.ticket.ticketcode.send` (码商发码成功回调): the code merchant reports the codes it
/// issued for a paid order, echoing the order's send_order_no and send_token.
struct KoubeiTicketcodeSend: OpenAPIMethod {
    let methodName = "koubei.trade.ticket.ticketcode.send"

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> any OpenAPIResponseModel {
        let model = try request.model(KoubeiTicketcodeSendModel.self)
        var codes: [(code: String, num: Int64)] = []
        for ma in model.isvMaList {
            guard (1...32).contains(ma.code.utf8.count), ma.code.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }), let num = Int64(ma.num) else {
                throw OpenAPIError.invalidParameter("isv_ma_list")
            }
            codes.append((ma.code, num))
        }
        let calendar = gateway.configuration.calendar
        func date(_ text: String?, _ field: String) throws -> Date? {
            guard let text else { return nil }
            guard let date = calendar.parseTimestamp(text) else { throw OpenAPIError.invalidParameter(field) }
            return date
        }
        let order = try await gateway.koubei.order(orderNo: model.orderNo, partner: request.partner)
        let trade = try await gateway.trades.trade(tradeNo: order.tradeNo, outTradeNo: nil, partner: request.partner)
        let bizCode = try await gateway.koubei.send(order: order, trade: trade, sendOrderNo: model.sendOrderNo, sendToken: model.sendToken,
                                                    requestId: model.requestId, codes: codes, validStart: try date(model.validStart, "valid_start"),
                                                    validEnd: try date(model.validEnd, "valid_end"))
        return KoubeiTicketcodeResponse(requestId: model.requestId, bizCode: bizCode)
    }
}
