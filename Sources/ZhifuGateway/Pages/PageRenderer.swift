import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import ZhifuProtocol

/// Server-rendered pages from the Mustache templates in `Pages/Templates` (the gateway's
/// resources). `{{value}}` escapes HTML, so every value from a request or the store is escaped by
/// default; the one `{{{…}}}` in the templates is markup Zhifu draws itself (the QR code's SVG).
/// Each page has a view model (`PageModels.swift`) holding exactly what it shows.
enum Pages {
    /// Every template, read once from the bundle.
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        let directory = Bundle.module.resourceURL?.appendingPathComponent("Templates")
        for name in ["layout", "error", "batch_records", "batch_confirm", "batch_result", "refund_records", "refund_confirm", "refund_result", "cashier",
                     "buyer_login", "buyer", "qr_embedded", "start", "koubei_order", "console_login", "console_nav", "console_notification_rows",
                     "console_home", "console_trade", "console_notifications", "console_faults", "console_accounts", "console_trades",
                     "console_notification", "console_chart", "console_ledger", "console_merchants", "bptb_rows", "bptb_confirm", "bptb_result", "console_batches", "console_batch"] {
            // A template missing from the bundle or not parsing is a build bug: the page says so
            // (every page is rendered by the tests) instead of the gateway crashing.
            let text = directory.flatMap { try? String(contentsOf: $0.appendingPathComponent(name + ".mustache"), encoding: .utf8) }
            do {
                try library.register(text ?? "<p class=\"error\">template \(name) is missing from the build</p>", named: name)
            } catch {
                try? library.register("<p class=\"error\">template \(name) does not parse</p>", named: name)
            }
        }
        return library
    }()

    /// The page `template` for `model`, inside the layout with `title`, in `charset` (a MAPI
    /// page answers in its request's charset, as Alipay's do).
    /// `framable` pages (page.pay's embedded QR code, qr_pay_mode 0/1/3/4) come without the layout
    /// and may be shown in the merchant's iframe.
    /// `refresh`: a same-site path the page moves on to after three seconds (a success page that
    /// "stays a few seconds, then returns to the merchant", seed 002 §2 步骤3).
    static func render(_ template: String, _ model: Any, title: String, status: HTTPResponse.Status = .ok, charset: Charset = .utf8,
                       framable: Bool = false, refresh: String? = nil) -> Response {
        let content = library.render(model, withTemplate: template) ?? ""
        let layout = LayoutModel(title: title, content: content, charset: charset.rawValue, refresh: refresh)
        let html = framable ? content : library.render(layout, withTemplate: "layout") ?? content
        var headers = framable ? framableHeaders : securityHeaders
        headers[.contentType] = "text/html; charset=\(charset.rawValue)"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: charset.encodeMarkup(html))))
    }

    /// Every page: never cached, never framed (a framed cashier invites clickjacking of the pay
    /// button), no scripts, no sniffing. form-action is left open: the cashier's form ends in a
    /// redirect to the merchant's return_url.
    static let securityHeaders: HTTPFields = [
        .cacheControl: "no-store",
        HTTPField.Name("X-Frame-Options")!: "DENY",
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'",
        HTTPField.Name("Referrer-Policy")!: "no-referrer",
    ]

    /// The embedded QR code: shown in the merchant's iframe (any ancestor), otherwise as strict.
    static let framableHeaders: HTTPFields = [
        .cacheControl: "no-store",
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'",
        HTTPField.Name("Referrer-Policy")!: "no-referrer",
    ]
}

struct LayoutModel {
    var title: String
    /// The page's own template, rendered (and escaped) already.
    var content: String
    var charset: String
    var refresh: String?
}
