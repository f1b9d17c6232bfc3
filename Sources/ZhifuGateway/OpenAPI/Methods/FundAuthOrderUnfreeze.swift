import ZhifuCore
import ZhifuModels
import ZhifuProtocol

/// `alipay.fund.auth.order.unfreeze` (资金授权解冻): part or all of what is still frozen goes back
/// to the buyer, once per out_request_no.
struct FundAuthOrderUnfreeze: OpenAPIMethod {
    let methodName = "alipay.fund.auth.order.unfreeze"

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> any OpenAPIResponseModel {
        let model = try request.model(FundAuthOrderUnfreezeModel.self, subCode: OpenAPIError.illegalArgumentCode)
        guard OpenAPIRequest.amounts.contains(model.amount) else { throw OpenAPIError.invalidParameter("amount", subCode: OpenAPIError.illegalArgumentCode) }
        if let extra = model.extraParam, (try? BizContent.parse(extra)) == nil {
            throw OpenAPIError.invalidParameter("extra_param", subCode: OpenAPIError.illegalArgumentCode)
        }
        let order = try await gateway.fundAuth.order(authNo: model.authNo, outOrderNo: nil, partner: request.partner)
        let (after, unfreeze) = try await gateway.fundAuth.unfreeze(order, outRequestNo: model.outRequestNo, amount: model.amount, remark: model.remark)
        var response = FundAuthOrderUnfreezeResponse(authNo: after.authNo, outOrderNo: after.outOrderNo, operationId: unfreeze.operationId,
                                                     outRequestNo: unfreeze.outRequestNo, amount: unfreeze.amount, status: "SUCCESS")
        response.gmtTrans = gateway.configuration.calendar.timestamp(unfreeze.createdAt)
        response.creditAmount = .zero
        response.fundAmount = unfreeze.amount
        return response
    }
}
