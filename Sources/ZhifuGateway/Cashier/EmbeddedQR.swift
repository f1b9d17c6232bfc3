import Foundation
import Hummingbird
import ZhifuCore
import ZhifuProtocol
import ZhifuQR

/// page.pay with `qr_pay_mode` 0, 1, 3 or 4: only the order's QR code, at `/qr/{trade_no}/embedded`,
/// for the merchant's own page to frame.
extension Cashier {
    /// How page.pay's order QR code is shown in the merchant's iframe.
    struct EmbeddedQR: Sendable {
        static let widths = 10...1_000
        var mode: String
        var width: Int?

        var query: String { "mode=\(mode)" + (width.map { "&width=\($0)" } ?? "") }
        /// 0 简约前置 and 1 前置 leave room for a caption; 3 迷你前置 is 75 px; 4 as asked (200 px by default).
        var pixels: Int {
            switch mode {
            case "1": 250
            case "3": 75
            case "4": width ?? 200
            default: 200
            }
        }
    }

    /// The order's QR code for an iframe, refreshed every few seconds: once the trade is paid the
    /// frame goes on to the signed return_url, as Alipay's embedded code does.
    func embedded(tradeNo: String, _ layout: EmbeddedQR) async throws -> Response {
        guard let stored = try await gateway.trades.stored(tradeNo: tradeNo), stored.details.method == "alipay.trade.page.pay" else {
            return Pages.render("cashier", CashierModel(tradeNo: tradeNo, error: "交易不存在"), title: "收银台", status: .notFound)
        }
        let trade = try await gateway.trades.current(stored)
        if trade.status.isPaid, let returnURL = trade.details.returnURL, let location = try ReturnURL(gateway: gateway).location(trade, returnURL: returnURL) {
            return Response(status: .seeOther, headers: [.location: location])
        }
        let svg = trade.status == .waitBuyerPay ? QRCode(Self.qrCodeURL(trade, gateway: gateway))?.svg(pixels: layout.pixels) ?? "" : ""
        return Pages.render("qr_embedded", EmbeddedQRModel(mode: layout.mode, tradeNo: trade.tradeNo, svg: svg,
                                                           caption: ["0", "1"].contains(layout.mode), amount: trade.payAmount.description),
                            title: "扫码支付", framable: true)
    }
}
