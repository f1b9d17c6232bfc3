import ZhifuCore
import ZhifuModels
import ZhifuProtocol

/// `alipay.trade.pay` (统一收单交易支付, seed 004): the cashier scans the buyer's payment code
/// (`scene` bar_code or wave_code, `auth_code` 25–30 + digits) and the trade is created and paid
/// at once; the code is used up in the payment's transaction. With product_code PRE_AUTH and
/// `auth_no` the money comes from a fund authorisation instead (预授权转支付).
struct TradePay: OpenAPIMethod {
    let methodName = "alipay.trade.pay"
    static let scenes: Set<String> = ["bar_code", "wave_code"]
    static let preAuthProducts: Set<String> = ["PRE_AUTH", "PRE_AUTH_ONLINE"]

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> any OpenAPIResponseModel {
        let model = try request.model(TradePayModel.self)
        if let productCode = model.order.productCode, Self.preAuthProducts.contains(productCode) {
            return try await payFromAuth(model, productCode: productCode, request, gateway: gateway)
        }
        guard let authCode = model.extras.authCode else { throw OpenAPIError.missingParameter("auth_code") }
        guard let scene = model.extras.scene, Self.scenes.contains(scene) else { throw OpenAPIError.invalidParameter("scene") }
        let draft = try await request.tradeDraft(model.order, gateway: gateway, productCode: "FACE_TO_FACE_PAYMENT")
        let payer = try await gateway.trades.payer(paymentCode: authCode)
        if let expected = draft.buyer, expected != payer.userId { throw TradeFailure.paymentAuthCodeInvalid }
        try await FaultRules(gateway: gateway).declineIfRuled(buyer: payer.userId)
        let paid = try await gateway.trades.createAndPay(draft, buyer: payer, paymentCode: authCode)
        return try await TradeQuery.paymentResponse(paid, gateway: gateway)
    }

    /// 预授权转支付: `auth_no` and `buyer_id` required, no payment code.
    private func payFromAuth(_ model: TradePayModel, productCode: String, _ request: OpenAPIRequest, gateway: Gateway) async throws -> any OpenAPIResponseModel {
        guard let authNo = model.extras.authNo else { throw OpenAPIError.missingParameter("auth_no") }
        guard model.order.buyerId != nil else { throw OpenAPIError.missingParameter("buyer_id") }
        guard model.extras.authCode == nil else { throw OpenAPIError.invalidParameter("auth_code is not sent with auth_no") }
        let mode: AuthConfirmMode
        if let text = model.extras.authConfirmMode {
            guard let given = AuthConfirmMode(rawValue: text) else { throw OpenAPIError.invalidParameter("auth_confirm_mode") }
            mode = given
        } else {
            mode = .notComplete
        }
        let draft = try await request.tradeDraft(model.order, gateway: gateway, productCode: productCode)
        let order: FundAuthOrder
        do {
            order = try await gateway.fundAuth.order(authNo: authNo, outOrderNo: nil, partner: request.partner)
        } catch FundAuthFailure.authOrderNotExist {
            throw TradeFailure.authNoError
        }
        let paid = try await gateway.trades.payFromAuth(draft, order: order, confirmMode: mode)
        return try await TradeQuery.paymentResponse(paid, gateway: gateway)
    }
}
