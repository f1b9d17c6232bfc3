import ZhifuCore
import ZhifuProtocol

/// `alipay.trade.advance.consult` (交易垫资咨询): may Alipay advance funds for this user now?
/// Zhifu never advances money (every payment comes from a balance), so a known user gets
/// `refer_result` false (a JSON boolean, as documented) and no orders waiting for repayment.
struct TradeAdvanceConsult: OpenAPIMethod {
    let methodName = "alipay.trade.advance.consult"

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> [(String, OpenAPIJSON)] {
        let userId = try request.required("alipay_user_id", maxLength: 28)
        guard let id = UserId(userId), try await gateway.accounts.account(userId: id) != nil else { throw OpenAPIError.invalidParameter("alipay_user_id") }
        return [("refer_result", .bool(false)), ("wait_repayment_amount", .string("0.00")), ("wait_repayment_order_count", .string("0")),
                ("wait_repayment_order_infos", .array([]))]
    }
}
