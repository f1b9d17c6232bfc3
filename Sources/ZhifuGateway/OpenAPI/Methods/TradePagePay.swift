import Hummingbird
import ZhifuCore
import ZhifuModels
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
        let order: TradeOrderModel, embedded: Cashier.EmbeddedQR?, quitURL: String?
        switch kind {
        case .page:
            let model = try request.model(TradePagePayModel.self)
            (order, embedded, quitURL) = (model.order, try Self.embeddedQR(model), nil)
        case .wap:
            let model = try request.model(TradeWapPayModel.self)
            (order, embedded, quitURL) = (model.order, nil, model.extras.quitUrl)
        case .app:
            (order, embedded, quitURL) = (try request.model(TradeOrderModel.self), nil, nil)
        }
        let trade = try await gateway.trades.create(request.tradeDraft(order, gateway: gateway, productCode: productCode, quitURL: quitURL))
        if let embedded {
            return Response(status: .found, headers: [.location: "/qr/\(trade.tradeNo)/embedded?" + embedded.query])
        }
        return Response(status: .found, headers: [.location: "/cashier/\(trade.tradeNo)"])
    }

    /// page.pay's `qr_pay_mode`: 0, 1, 3 and 4 show only the order's QR code, for the merchant's own
    /// page to frame (4 at `qrcode_width` pixels); 2 (跳转模式) and none go to the cashier.
    static func embeddedQR(_ order: TradePagePayModel) throws(OpenAPIError) -> Cashier.EmbeddedQR? {
        guard let mode = order.extras.qrPayMode else { return nil }
        guard ["0", "1", "2", "3", "4"].contains(mode) else { throw OpenAPIError.invalidParameter("qr_pay_mode") }
        var width: Int?
        if mode == "4", let pixels = order.extras.qrcodeWidth {
            guard Cashier.EmbeddedQR.widths.contains(pixels) else { throw OpenAPIError.invalidParameter("qrcode_width") }
            width = pixels
        }
        return mode == "2" ? nil : Cashier.EmbeddedQR(mode: mode, width: width)
    }
}
