import ZhifuCore
import ZhifuModels
import ZhifuProtocol

/// `alipay.fund.auth.operation.detail.query` (资金授权操作查询): an order's totals and one of its
/// operations — the freeze, an unfreeze, or a payment (by the trade's out_trade_no).
struct FundAuthOperationDetailQuery: OpenAPIMethod {
    let methodName = "alipay.fund.auth.operation.detail.query"

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> any OpenAPIResponseModel {
        let model = try request.model(FundAuthOperationDetailQueryModel.self, subCode: OpenAPIError.illegalArgumentCode)
        guard model.authNo != nil || model.outOrderNo != nil else {
            throw OpenAPIError.missingParameter("auth_no or out_order_no", subCode: OpenAPIError.illegalArgumentCode)
        }
        guard model.operationId != nil || model.outRequestNo != nil else {
            throw OpenAPIError.missingParameter("operation_id or out_request_no", subCode: OpenAPIError.illegalArgumentCode)
        }
        var kind: FundAuthOperation.Kind?
        if let text = model.operationType {
            guard let given = FundAuthOperation.Kind(rawValue: text) else {
                throw OpenAPIError.invalidParameter("operation_type", subCode: OpenAPIError.illegalArgumentCode)
            }
            kind = given
        }
        let service = gateway.fundAuth
        let order = try await service.order(authNo: model.authNo, outOrderNo: model.outOrderNo, partner: request.partner)
        let operation = try await service.operation(of: order, operationId: model.operationId, outRequestNo: model.outRequestNo, kind: kind)
        let calendar = gateway.configuration.calendar
        var response = FundAuthOperationDetailQueryResponse(
            authNo: order.authNo, outOrderNo: order.outOrderNo, orderStatus: order.status.rawValue, totalFreezeAmount: order.hold.amount,
            restAmount: order.hold.remaining, totalPayAmount: order.hold.posted, operationId: operation.operationId,
            outRequestNo: operation.outRequestNo, amount: operation.amount, operationType: operation.kind.rawValue, status: "SUCCESS")
        response.orderTitle = order.orderTitle
        response.payerLogonId = TradeService.masked(order.payerLogonId)
        response.payerUserId = order.payer.rawValue
        response.remark = operation.remark
        response.gmtCreate = calendar.timestamp(operation.createdAt)
        response.gmtTrans = calendar.timestamp(operation.createdAt)
        response.transCurrency = order.transCurrency
        response.totalFreezeCreditAmount = .zero
        response.totalFreezeFundAmount = order.hold.amount
        response.totalPayCreditAmount = .zero
        response.totalPayFundAmount = order.hold.posted
        response.restCreditAmount = .zero
        response.restFundAmount = order.hold.remaining
        response.creditAmount = .zero
        response.fundAmount = operation.amount
        return response
    }
}
