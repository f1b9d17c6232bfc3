import ZhifuCore
import ZhifuModels
import ZhifuProtocol

/// `koubei.trade.ticket.ticketcode.cancel` (口碑凭证码撤销核销): undoes the redemption whose request
/// number is `request_biz_no`, once; the uses come back to the ticket.
struct KoubeiTicketcodeCancel: OpenAPIMethod {
    let methodName = "koubei.trade.ticket.ticketcode.cancel"

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> any OpenAPIResponseModel {
        let model = try request.model(KoubeiTicketcodeCancelModel.self)
        try KoubeiCodeType.check(model.codeType)
        var quantity: Int64?
        if let text = model.quantity {
            guard let number = Int64(text), number > 0 else { throw OpenAPIError.invalidParameter("quantity") }
            quantity = number
        }
        let koubei = gateway.koubei
        if let orderNo = model.orderNo, try await koubei.ticket(code: model.ticketCode, partner: request.partner).ticket.orderNo != orderNo {
            throw KoubeiFailure.ticketNotExist
        }
        let bizCode = try await koubei.cancel(code: model.ticketCode, partner: request.partner, useRequestId: model.requestBizNo, quantity: quantity)
        return KoubeiTicketcodeResponse(requestId: model.requestId, bizCode: bizCode)
    }
}
