import ZhifuCore
import ZhifuModels
import ZhifuProtocol

/// `alipay.trade.pay` (统一收单交易支付, seed 004): the cashier scans the buyer's payment code
/// (`scene` bar_code or wave_code, `auth_code` 25–30 + digits) and the trade is created and paid
/// at once; the code is used up in the payment's transaction.
struct TradePay: OpenAPIMethod {
    let methodName = "alipay.trade.pay"
    static let scenes: Set<String> = ["bar_code", "wave_code"]

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> any OpenAPIResponseModel {
        let model = try request.model(TradePayModel.self)
        guard Self.scenes.contains(model.extras.scene) else { throw OpenAPIError.invalidParameter("scene") }
        let draft = try await request.tradeDraft(model.order, gateway: gateway, productCode: "FACE_TO_FACE_PAYMENT")
        let buyer = try await gateway.trades.buyer(paymentCode: model.extras.authCode)
        if let expected = draft.buyer, expected != buyer { throw TradeFailure.paymentAuthCodeInvalid }
        let paid = try await gateway.trades.createAndPay(draft, buyer: buyer, paymentCode: model.extras.authCode)
        return try await TradeQuery.paymentResponse(paid, gateway: gateway)
    }
}
