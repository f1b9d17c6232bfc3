import Foundation
import Hummingbird
import ZhifuCore
import ZhifuProtocol

struct ConsoleTradesModel {
    var csrf: String
    var filter: String
    var trades: [ConsoleTradeRow]
}

struct ConsoleSignedFormModel {
    var csrf: String
    var notifyId: String
    var notifyURL: String
    var form: String
    var replay: ConsoleReplay?
}

struct ConsoleReplay {
    var url: String
    var outcome: String
}

/// The trade list by status and a trade's actions (close, refund — the same rules as the OpenAPI
/// methods), and a notification's exact signed form with a one-off replay to another URL.
extension ConsoleRoutes {
    func registerTradeActions(on router: Router<GatewayRequestContext>) {
        router.get("/console/trades") { request, _ in
            try await withSession(request) { current, _ in
                let status = request.uri.queryParameters.get("status").flatMap(TradeStatus.init(rawValue:))
                let trades = try await gateway.store.recentTrades(status: status, limit: 100).map { ConsoleTradeRow($0, calendar: calendar) }
                return Pages.render("console_trades", ConsoleTradesModel(csrf: session.csrfToken(for: current), filter: status?.rawValue ?? "", trades: trades),
                                    title: "交易")
            }
        }
        router.post("/console/trades/:tradeNo/close") { request, context in
            try await withSession(request, form: true) { _, _ in
                let trade = try await storedTrade(context.parameters.get("tradeNo") ?? "")
                return try await tradeAction(trade.tradeNo) { _ = try await gateway.trades.close(trade) }
            }
        }
        router.post("/console/trades/:tradeNo/refund") { request, context in
            try await withSession(request, form: true) { _, form in
                let trade = try await storedTrade(context.parameters.get("tradeNo") ?? "")
                guard let amount = form["amount"].flatMap(Amount.init), amount.fen > 0 else { throw HTTPError(.badRequest, message: "amount: yuan, e.g. 1.00") }
                return try await tradeAction(trade.tradeNo) {
                    _ = try await gateway.trades.refund(trade, amount: amount, outRequestNo: "console-" + SecureRandom.digits(12), reason: "运营退款")
                }
            }
        }
        router.get("/console/notifications/:notifyId") { request, context in
            try await withSession(request) { current, _ in try await signedFormPage(context.parameters.get("notifyId") ?? "", session: current, replay: nil) }
        }
        router.post("/console/notifications/:notifyId/replay") { request, context in
            try await withSession(request, form: true) { current, form in
                let url = form["url"] ?? ""
                guard url.hasPrefix("http://") || url.hasPrefix("https://"), url.utf8.count <= 256 else { throw HTTPError(.badRequest, message: "url: http(s)://…") }
                let notifyId = context.parameters.get("notifyId") ?? ""
                guard let notification = try await gateway.store.notification(notifyId: notifyId) else { throw HTTPError(.notFound) }
                var copy = notification
                copy.notifyURL = url
                // One try to the other URL, outside the outbox: the notification's own schedule is untouched.
                let outcome = await Notifier(gateway: gateway).replay(copy, md5Key: try await md5Key(for: notification))
                return try await signedFormPage(notifyId, session: current, replay: ConsoleReplay(url: url, outcome: outcome))
            }
        }
    }

    private func storedTrade(_ tradeNo: String) async throws -> Trade {
        guard let trade = try await gateway.trades.stored(tradeNo: tradeNo) else { throw HTTPError(.notFound) }
        return trade
    }

    /// Runs a trade action; a refusal by the trade's rules (ACQ.*) is shown, as a 400.
    private func tradeAction(_ tradeNo: String, _ action: () async throws -> Void) async throws -> Response {
        do {
            try await action()
        } catch let failure as TradeFailure {
            throw HTTPError(.badRequest, message: "\(failure.rawValue) \(failure.message)")
        }
        return redirect("/console/trades/\(tradeNo)")
    }

    private func md5Key(for notification: OutboxNotification) async throws -> String? {
        notification.signType == .md5 ? try await gateway.merchant(partner: notification.partner)?.md5Key : nil
    }

    private func signedFormPage(_ notifyId: String, session current: String, replay: ConsoleReplay?) async throws -> Response {
        guard notifyId.utf8.count <= 64, let notification = try await gateway.store.notification(notifyId: notifyId) else { throw HTTPError(.notFound) }
        let form = try Notifier(gateway: gateway).signedForm(notification, md5Key: try await md5Key(for: notification))
        let model = ConsoleSignedFormModel(csrf: session.csrfToken(for: current), notifyId: notifyId, notifyURL: notification.notifyURL,
                                           form: form.split(separator: "&").joined(separator: "\n&"), replay: replay)
        return Pages.render("console_notification", model, title: "通知 \(notifyId)")
    }
}
