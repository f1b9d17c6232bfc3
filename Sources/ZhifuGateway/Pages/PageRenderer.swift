import Foundation
import Hummingbird
import Mustache

/// Server-rendered pages from the Mustache templates in `Pages/Templates` (the gateway's
/// resources). `{{value}}` escapes HTML, so every value from a request or the store is escaped by
/// default; the one `{{{…}}}` in the templates is markup Zhifu draws itself (the QR code's SVG).
/// Each page has a view model (`PageModels.swift`) holding exactly what it shows.
enum Pages {
    /// Every template, read once from the bundle.
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        let directory = Bundle.module.resourceURL?.appendingPathComponent("Templates")
        for name in ["layout", "error", "batch_records", "batch_confirm", "batch_result", "cashier", "buyer_login", "buyer"] {
            // A template missing from the bundle is a packaging bug: the page says so instead of crashing.
            let text = directory.flatMap { try? String(contentsOf: $0.appendingPathComponent(name + ".mustache"), encoding: .utf8) }
                ?? "<p class=\"error\">template \(name) is missing from the build</p>"
            try? library.register(text, named: name)
        }
        return library
    }()

    /// The page `template` for `model`, inside the layout with `title`.
    static func render(_ template: String, _ model: Any, title: String, status: HTTPResponse.Status = .ok) -> Response {
        let content = library.render(model, withTemplate: template) ?? ""
        let html = library.render(LayoutModel(title: title, content: content), withTemplate: "layout") ?? content
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}

struct LayoutModel {
    var title: String
    /// The page's own template, rendered (and escaped) already.
    var content: String
}
