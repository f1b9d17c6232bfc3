import ZhifuCore
import ZhifuModels
import ZhifuProtocol

/// `koubei.trade.ticket.ticketcode.delay` (口碑凭证延期): moves a ticket's end of validity later;
/// a used-up or refunded ticket cannot be delayed.
struct KoubeiTicketcodeDelay: OpenAPIMethod {
    let methodName = "koubei.trade.ticket.ticketcode.delay"

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> any OpenAPIResponseModel {
        let model = try request.model(KoubeiTicketcodeDelayModel.self)
        try KoubeiCodeType.check(model.codeType)
        let calendar = gateway.configuration.calendar
        guard let endDate = calendar.parseTimestamp(model.endDate) ?? calendar.parseCompactTimestamp(model.endDate) else {
            throw OpenAPIError.invalidParameter("end_date")
        }
        let bizCode = try await gateway.koubei.delay(code: model.ticketCode, orderNo: model.orderNo, partner: request.partner, requestId: model.requestId,
                                                     endDate: endDate)
        return KoubeiTicketcodeResponse(requestId: model.requestId, bizCode: bizCode)
    }
}

/// `code_type`: INTERNAL_CODE or EXTERNAL_CODE; Zhifu's tickets are all the code merchant's own.
enum KoubeiCodeType {
    static func check(_ codeType: String?) throws(OpenAPIError) {
        if let codeType, codeType != "INTERNAL_CODE", codeType != "EXTERNAL_CODE" { throw OpenAPIError.invalidParameter("code_type") }
    }
}
