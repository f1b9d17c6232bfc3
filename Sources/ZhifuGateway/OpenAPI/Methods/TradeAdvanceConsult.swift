import ZhifuCore
import ZhifuModels
import ZhifuProtocol

/// `alipay.trade.advance.consult` (交易垫资咨询): may Alipay advance funds for this user now?
/// Zhifu never advances money (every payment comes from a balance), so a known user gets
/// `refer_result` false (a JSON boolean, as documented) and no orders waiting for repayment.
struct TradeAdvanceConsult: OpenAPIMethod {
    let methodName = "alipay.trade.advance.consult"

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> any OpenAPIResponseModel {
        let model = try request.model(TradeAdvanceConsultModel.self)
        guard let id = UserId(model.alipayUserId), try await gateway.accounts.account(userId: id) != nil else {
            throw OpenAPIError.invalidParameter("alipay_user_id")
        }
        var response = TradeAdvanceConsultResponse(referResult: false)
        response.waitRepaymentAmount = .zero
        response.waitRepaymentOrderCount = "0"
        response.waitRepaymentOrderInfos = []
        return response
    }
}
