import Hummingbird
import ZhifuCore
import ZhifuProtocol

/// `alipay.trade.page.pay` (PC), `alipay.trade.wap.pay` (mobile browser) and `alipay.trade.app.pay`
/// (the order string an app hands to the wallet): the buyer's browser brings the signed request
/// here; the trade is created (idempotent per out_trade_no) and the browser goes on to the
/// cashier page. After payment the cashier redirects to the signed `return_url`.
struct TradePagePay: OpenAPIPageMethod {
    enum Kind: Sendable {
        case page, wap, app
    }

    let kind: Kind

    init(_ kind: Kind) { self.kind = kind }

    var methodName: String {
        switch kind {
        case .page: "alipay.trade.page.pay"
        case .wap: "alipay.trade.wap.pay"
        case .app: "alipay.trade.app.pay"
        }
    }

    /// The product code each method is sold as (销售产品码).
    var productCode: String {
        switch kind {
        case .page: "FAST_INSTANT_TRADE_PAY"
        case .wap: "QUICK_WAP_WAY"
        case .app: "QUICK_MSECURITY_PAY"
        }
    }

    func page(_ request: OpenAPIRequest, gateway: Gateway) async throws -> Response {
        let trade = try await gateway.trades.create(request.tradeDraft(gateway: gateway, productCode: productCode))
        return Response(status: .found, headers: [.location: "/cashier/\(trade.tradeNo)"])
    }
}
