import Foundation
import Hummingbird
import ZhifuCore
import ZhifuProtocol

/// `/console`: the operator's view of the gateway — trades with their whole story, notifications
/// with every try and a resend, the ledger audit, the sandbox clock. Pages come from templates
/// (escaped); every route but the login page needs a console session, and every form its CSRF
/// token. Gateway routes never read the console cookie, and the console never accepts a gateway
/// signature: the two share nothing.
struct ConsoleRoutes {
    let gateway: Gateway
    var session: ConsoleSession { ConsoleSession(gateway: gateway) }
    var calendar: BusinessCalendar { gateway.configuration.calendar }

    func register(on router: Router<GatewayRequestContext>) {
        router.get("/console/login") { _, _ in Pages.render("console_login", ConsoleLoginModel(), title: "运营控制台登录") }
        router.post("/console/login") { request, _ in try await login(request) }
        router.post("/console/logout") { request, _ in
            try await withSession(request, form: true) { _, _ in
                _ = try await gateway.store.setSettingIfAbsent(GatewaySettings.consoleSessionEpoch, value: "0")
                _ = try await gateway.store.addToSetting(GatewaySettings.consoleSessionEpoch, amount: 1)
                return redirect("/console/login", cookie: ConsoleSession.clearCookie)
            }
        }
        router.get("/console") { request, _ in try await withSession(request) { session, _ in try await home(session, audit: nil) } }
        router.post("/console/audit") { request, _ in
            try await withSession(request, form: true) { session, _ in try await home(session, audit: try await gateway.store.audit()) }
        }
        router.get("/console/trades/:tradeNo") { request, context in
            try await withSession(request) { session, _ in try await trade(context.parameters.get("tradeNo") ?? "", session: session) }
        }
        router.get("/console/notifications") { request, _ in
            try await withSession(request) { session, _ in
                try await notifications(filter: OperatorActions.notificationFilter { request.uri.queryParameters.get($0) }, session: session)
            }
        }
        router.post("/console/notifications/:notifyId/resend") { request, context in
            try await withSession(request, form: true) { _, form in
                try await actions.resend(notifyId: context.parameters.get("notifyId") ?? "")
                return redirect(Self.back(form["back"]))
            }
        }
        registerFaults(on: router)
        registerAccounts(on: router)
        registerTradeActions(on: router)
        registerLedger(on: router)
        registerMerchants(on: router)
        registerBatches(on: router)
        router.post("/console/clock/next") { request, _ in
            try await withSession(request, form: true) { _, _ in
                _ = try await actions.advanceToNextDue()
                return redirect("/console")
            }
        }
        router.post("/console/clock/advance") { request, _ in
            try await withSession(request, form: true) { _, form in
                _ = try await actions.advanceClock(seconds: form["seconds"].flatMap(Int64.init) ?? -1)
                return redirect("/console")
            }
        }
    }

    var actions: OperatorActions { OperatorActions(gateway: gateway) }

    /// Only console pages as the way back after a form.
    static func back(_ path: String?) -> String {
        guard let path, path.hasPrefix("/console"), !path.contains("//"), path.utf8.count <= 200 else { return "/console" }
        return path
    }

    /// Wrong operator passwords allowed per 15 minutes of gateway time, across every node.
    static let loginFailuresPerWindow: Int64 = 10

    private func login(_ request: Request) async throws -> Response {
        let form = try await Cashier.form(request)
        // Failures are counted per 15-minute window by one statement each; a full window refuses
        // every try, right or wrong, until it passes (no password is checked meanwhile).
        let window = "console.login_failures.\(Int64(gateway.clock.now.timeIntervalSince1970) / 900)"
        let failures = try await gateway.store.setSettingIfAbsent(window, value: "0")
        guard (Int64(failures) ?? 0) < Self.loginFailuresPerWindow else {
            return Pages.render("console_login", ConsoleLoginModel(error: "错误次数过多，请15分钟后再试"), title: "运营控制台登录", status: .tooManyRequests)
        }
        guard let hash = try await gateway.store.setting(GatewaySettings.operatorPasswordHash), let password = form["password"], password.utf8.count <= 128,
              try await gateway.passwordKDF.verify(password, against: hash) else {
            _ = try await gateway.store.addToSetting(window, amount: 1)
            return Pages.render("console_login", ConsoleLoginModel(error: "密码错误"), title: "运营控制台登录", status: .unauthorized)
        }
        return redirect("/console", cookie: session.setCookie(try await session.value()))
    }

    /// Runs `body` with the session (and, for a form, its fields after the CSRF check); without a
    /// session, the login page; with a wrong CSRF token, 403. An operator action's refusal is 404
    /// or 400 with its reason.
    func withSession(_ request: Request, form: Bool = false,
                     _ body: (String, ZhifuProtocol.Parameters) async throws -> Response) async throws -> Response {
        guard let current = try await session.current(request) else { return redirect("/console/login") }
        do {
            guard form else { return try await body(current, ZhifuProtocol.Parameters()) }
            let fields = try await Cashier.form(request)
            guard session.isValidCSRF(fields["csrf"], session: current) else { throw HTTPError(.forbidden, message: "missing or wrong CSRF token") }
            return try await body(current, fields)
        } catch let refusal as OperatorActions.Refusal {
            throw refusal.httpError
        }
    }

    func redirect(_ location: String, cookie: String? = nil) -> Response {
        var headers: HTTPFields = [.location: location]
        if let cookie { headers[.setCookie] = cookie }
        return Response(status: .seeOther, headers: headers)
    }

    private func rows(_ notifications: [(notification: OutboxNotification, tries: [NotificationAttempt])], csrf: String) -> [ConsoleNotificationRow] {
        notifications.map { ConsoleNotificationRow($0.notification, tries: $0.tries, csrf: csrf, calendar: calendar) }
    }

    private func home(_ current: String, audit: LedgerAudit?) async throws -> Response {
        let csrf = session.csrfToken(for: current)
        let model = ConsoleHomeModel(csrf: csrf, now: calendar.timestamp(gateway.clock.now), store: gateway.store.kind, manualClock: gateway.manualClock != nil,
                                     audit: audit?.description, auditBalanced: audit?.isBalanced ?? false,
                                     trades: try await gateway.store.recentTrades(status: nil, limit: 20).map { ConsoleTradeRow($0, calendar: calendar) },
                                     notifications: rows(try await actions.notifications(NotificationFilter(), limit: 10), csrf: csrf),
                                     overview: try await ConsoleOverview.load(gateway))
        return Pages.render("console_home", model, title: "运营控制台")
    }

    private func trade(_ tradeNo: String, session current: String) async throws -> Response {
        guard let story = try await actions.tradeStory(tradeNo: tradeNo) else { throw HTTPError(.notFound) }
        let csrf = session.csrfToken(for: current)
        let model = ConsoleTradeModel(csrf: csrf, trade: ConsoleTradeRow(story.trade, calendar: calendar), subject: story.trade.subject,
                                      buyer: story.trade.buyer?.rawValue ?? "—",
                                      events: story.events.map { ConsoleEvent(time: calendar.timestamp($0.time), what: $0.what) },
                                      notifications: rows(story.notifications, csrf: csrf))
        return Pages.render("console_trade", model, title: "交易 \(story.trade.tradeNo)")
    }

    private func notifications(filter: NotificationFilter, session current: String) async throws -> Response {
        let csrf = session.csrfToken(for: current)
        let model = ConsoleNotificationsModel(csrf: csrf, filter: filter.status?.rawValue ?? "", type: filter.notifyType ?? "", url: filter.urlPrefix ?? "",
                                              notifications: rows(try await actions.notifications(filter, limit: 100), csrf: csrf))
        return Pages.render("console_notifications", model, title: "异步通知")
    }
}

extension OperatorActions.Refusal {
    var httpError: HTTPError {
        switch self {
        case .notFound, .systemClock: HTTPError(.notFound)
        case .invalid(let reason): HTTPError(.badRequest, message: reason)
        }
    }
}
