import ZhifuCore
import ZhifuModels
import ZhifuProtocol

/// `alipay.pcredit.huabei.auth.settle.apply` (花呗先享结算申请, seed 004): pays part of the Huabei
/// credit a buyer's agreement froze for this merchant, once per out_request_no, and ends the
/// agreement (unfreezing the rest) unless PERIOD_SETTLE or need_terminated=false says otherwise.
struct HuabeiAuthSettleApply: OpenAPIMethod {
    let methodName = "alipay.pcredit.huabei.auth.settle.apply"

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> any OpenAPIResponseModel {
        let model = try request.model(HuabeiAuthSettleApplyModel.self)
        guard model.outRequestNo.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) }) else {
            throw OpenAPIError.invalidParameter("out_request_no")
        }
        guard model.openId == nil else { throw OpenAPIError.invalidParameter("open_id (Zhifu's users have no OpenID; send alipay_user_id)") }
        guard let userText = model.alipayUserId else { throw OpenAPIError.missingParameter("alipay_user_id") }
        guard let user = UserId(userText) else { throw OpenAPIError.invalidParameter("alipay_user_id") }
        if let seller = model.sellerId, seller != request.partner.rawValue { throw OpenAPIError.invalidParameter("seller_id") }
        guard model.payAmount.fen > 0, OpenAPIRequest.amounts.contains(model.payAmount) else { throw OpenAPIError.invalidParameter("pay_amount") }
        guard let action = HuabeiService.ActionType(rawValue: model.actionType ?? "MERCHANT_SETTLE") else { throw OpenAPIError.invalidParameter("action_type") }
        guard model.needTerminated == nil || model.needTerminated == "true" || model.needTerminated == "false" else {
            throw OpenAPIError.invalidParameter("need_terminated")
        }
        if action == .periodSettle, model.extendParams?.withholdIndex == nil { throw OpenAPIError.missingParameter("extend_params.withhold_index") }
        if let quitType = model.extendParams?.quitType, quitType != "USER_CANCEL_QUIT", quitType != "SETTLE_APPLY_QUIT" {
            throw OpenAPIError.invalidParameter("extend_params.quit_type")
        }
        let settlement = try await gateway.huabei.settle(agreementNo: model.agreementNo, user: user, seller: request.partner,
                                                         outRequestNo: model.outRequestNo, amount: model.payAmount, action: action,
                                                         needTerminated: model.needTerminated != "false")
        return HuabeiAuthSettleApplyResponse(outRequestNo: settlement.outRequestNo)
    }
}
