import ZhifuCore
import ZhifuProtocol

/// `alipay.trade.pay` (统一收单交易支付, seed 004): the cashier scans the buyer's payment code
/// (`scene` bar_code or wave_code, `auth_code` 25–30 + digits) and the trade is created and paid
/// at once; the code is used up in the payment's transaction.
struct TradePay: OpenAPIMethod {
    let methodName = "alipay.trade.pay"
    static let scenes: Set<String> = ["bar_code", "wave_code"]

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> [(String, OpenAPIJSON)] {
        let scene = try request.required("scene", maxLength: 32)
        guard Self.scenes.contains(scene) else { throw OpenAPIError.invalidParameter("scene") }
        let authCode = try request.required("auth_code", maxLength: 32)
        let draft = try await request.tradeDraft(gateway: gateway, productCode: "FACE_TO_FACE_PAYMENT")
        let buyer = try await gateway.trades.buyer(paymentCode: authCode)
        if let expected = draft.buyer, expected != buyer { throw TradeFailure.paymentAuthCodeInvalid }
        let paid = try await gateway.trades.createAndPay(draft, buyer: buyer, paymentCode: authCode)
        return try await TradeQuery.paymentFields(paid, gateway: gateway)
    }
}
