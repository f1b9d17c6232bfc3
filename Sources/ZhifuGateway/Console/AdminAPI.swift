import Crypto
import Foundation
import Hummingbird
import ZhifuCore
import ZhifuProtocol

/// `/admin/api/...`: the console's actions as JSON for scripts and the `zhifu` CLI verbs. The admin
/// token (`Authorization: Bearer …`) is the only credential: a console cookie or a gateway
/// signature is nothing here. Exists when the console does.
struct AdminAPI {
    let gateway: Gateway
    var actions: OperatorActions { OperatorActions(gateway: gateway) }
    var calendar: BusinessCalendar { gateway.configuration.calendar }

    func register(on router: Router<GatewayRequestContext>) {
        router.get("/admin/api/trades/:tradeNo") { request, context in
            try await authorized(request) {
                guard let story = try await actions.tradeStory(tradeNo: context.parameters.get("tradeNo") ?? "") else { throw OperatorActions.Refusal.notFound }
                return AdminTrade(tradeNo: story.trade.tradeNo, outTradeNo: story.trade.outTradeNo, status: story.trade.status.rawValue,
                                  amount: story.trade.amount.description, subject: story.trade.subject,
                                  events: story.events.map { AdminEvent(time: calendar.timestamp($0.time), what: $0.what) },
                                  notifications: story.notifications.map(notification))
            }
        }
        router.get("/admin/api/notifications") { request, _ in
            try await authorized(request) {
                try await actions.notifications(OperatorActions.notificationFilter { request.uri.queryParameters.get($0) }, limit: 100).map(notification)
            }
        }
        router.post("/admin/api/notifications/:notifyId/resend") { request, context in
            try await authorized(request) {
                let notifyId = context.parameters.get("notifyId") ?? ""
                try await actions.resend(notifyId: notifyId)
                return ["resent": notifyId]
            }
        }
        router.post("/admin/api/clock/advance") { request, _ in
            try await authorized(request) {
                let now = try await actions.advanceClock(seconds: request.uri.queryParameters.get("seconds").flatMap { Int64($0) } ?? -1)
                return ["now": calendar.timestamp(now)]
            }
        }
        router.post("/admin/api/clock/next") { request, _ in
            try await authorized(request) { ["now": calendar.timestamp(try await actions.advanceToNextDue())] }
        }
        router.get("/admin/api/faults") { request, _ in try await authorized(request) { try await gateway.store.faultRules().map(AdminFault.init) } }
        router.post("/admin/api/faults") { request, _ in
            try await authorized(request) {
                AdminFault(try await actions.addFault(form: try await Cashier.form(request)))
            }
        }
        router.post("/admin/api/faults/:id/off") { request, context in
            try await authorized(request) {
                let id = context.parameters.get("id") ?? ""
                try await actions.disableFault(id: id)
                return ["off": id]
            }
        }
        for (action, withdraw) in [("deposit", false), ("withdraw", true)] {
            router.post("/admin/api/accounts/:userId/\(action)") { request, context in
                try await authorized(request) {
                    let form = try await Cashier.form(request)
                    let account = try await actions.move(userId: context.parameters.get("userId") ?? "", amount: form["amount"] ?? "", withdraw: withdraw)
                    return ["user_id": account.userId.rawValue, "balance": account.balance.description, "frozen": account.frozen.description,
                            "available": account.available.description]
                }
            }
        }
        router.post("/admin/api/merchants/:partner/notify") { request, context in
            try await authorized(request) {
                let settings = try await actions.setNotifySettings(partner: context.parameters.get("partner") ?? "", form: try await Cashier.form(request))
                return AdminNotifySettings(partner: settings.partner.rawValue, redirectUrl: settings.redirectURL, paused: settings.paused)
            }
        }
        router.get("/admin/api/batches") { request, _ in
            try await authorized(request) { try await actions.recentBatches(limit: 50).map { var batch = $0; batch.records = []; return batch } }
        }
        router.get("/admin/api/batches/:kind/:id") { request, context in
            try await authorized(request) {
                guard let batch = try await actions.batch(kind: context.parameters.get("kind") ?? "", id: context.parameters.get("id") ?? "") else {
                    throw OperatorActions.Refusal.notFound
                }
                return batch
            }
        }
        router.get("/admin/api/audit") { request, _ in
            try await authorized(request) {
                let audit = try await gateway.store.audit()
                return AdminAudit(balanced: audit.isBalanced, accounts: audit.accounts, transfers: audit.transfers, balanceSum: audit.balanceSum,
                                  negativeUserAccounts: audit.negativeUserAccounts, mismatchedAccounts: audit.mismatchedAccounts,
                                  mismatchedHolds: audit.mismatchedHolds)
            }
        }
    }

    /// Runs `body` for a request with the admin token, answering its value as JSON; 401 without the
    /// token, 404 / 400 for an action's refusal.
    private func authorized(_ request: Request, _ body: () async throws -> some Encodable) async throws -> Response {
        let header = request.headers[.authorization] ?? ""
        guard header.hasPrefix("Bearer "), header.utf8.count <= 200, try await AdminToken.isValid(String(header.dropFirst(7)), store: gateway.store) else {
            return json(["error": "a valid admin token is required (Authorization: Bearer …)"], status: .unauthorized)
        }
        do {
            return json(try await body(), status: .ok)
        } catch let refusal as OperatorActions.Refusal {
            switch refusal {
            case .notFound: return json(["error": "not found"], status: .notFound)
            case .systemClock: return json(["error": "the clock moves only with --clock manual"], status: .notFound)
            case .invalid(let reason): return json(["error": reason], status: .badRequest)
            }
        }
    }

    private func json(_ value: some Encodable, status: HTTPResponse.Status) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    private func notification(_ item: (notification: OutboxNotification, tries: [NotificationAttempt])) -> AdminNotification {
        let n = item.notification
        return AdminNotification(notifyId: n.notifyId, notifyType: n.notifyType, notifyUrl: n.notifyURL, status: n.status.rawValue, attempts: n.attempts,
                                 nextAttemptAt: n.status == .pending ? calendar.timestamp(n.nextAttemptAt) : nil,
                                 tries: item.tries.map {
                                     AdminTry(attemptedAt: calendar.timestamp($0.attemptedAt), httpStatus: $0.httpStatus, latencyMs: $0.latencyMilliseconds,
                                              answer: String($0.bodyPrefix.prefix(500)), error: $0.error, acknowledged: $0.acknowledged)
                                 })
    }
}

struct AdminEvent: Encodable { var time: String; var what: String }
struct AdminTry: Encodable {
    var attemptedAt: String; var httpStatus: Int?; var latencyMs: Int; var answer: String; var error: String?; var acknowledged: Bool
}
struct AdminNotification: Encodable {
    var notifyId: String; var notifyType: String; var notifyUrl: String; var status: String; var attempts: Int; var nextAttemptAt: String?
    var tries: [AdminTry]
}
struct AdminTrade: Encodable {
    var tradeNo: String; var outTradeNo: String; var status: String; var amount: String; var subject: String
    var events: [AdminEvent]; var notifications: [AdminNotification]
}
struct AdminAudit: Encodable {
    var balanced: Bool; var accounts: Int; var transfers: Int; var balanceSum: Int64; var negativeUserAccounts: Int; var mismatchedAccounts: Int
    var mismatchedHolds: Int
}
struct AdminNotifySettings: Encodable {
    var partner: String; var redirectUrl: String?; var paused: Bool
}

struct AdminFault: Encodable {
    var id: String; var kind: String; var target: String; var answer: String; var body: String?; var remaining: Int64?; var sharePercent: Int?; var fired: Int64; var enabled: Bool
    init(_ rule: FaultRule) {
        id = rule.id; kind = rule.kind.rawValue; target = rule.target; answer = rule.answer; body = rule.body; remaining = rule.remaining; sharePercent = rule.sharePercent
        fired = rule.fired; enabled = rule.enabled
    }
}

/// The admin API's bearer token: `--admin-token` on every start, or generated on the first start
/// (printed once, appended to demo.txt). Stored as its SHA-256 (a random token needs no slow KDF);
/// compared in constant time.
enum AdminToken {
    static func ensure(_ configuration: GatewayConfiguration, store: any Store) async throws -> String? {
        if let given = configuration.adminToken {
            try await store.setSetting(GatewaySettings.adminTokenSHA256, value: digest(given))
            return nil
        }
        guard try await store.setting(GatewaySettings.adminTokenSHA256) == nil else { return nil }
        let token = SecureRandom.alphanumeric(32)
        guard try await store.setSettingIfAbsent(GatewaySettings.adminTokenSHA256, value: digest(token)) == digest(token) else { return nil }
        return token
    }

    static func isValid(_ token: String, store: any Store) async throws -> Bool {
        guard let stored = try await store.setting(GatewaySettings.adminTokenSHA256) else { return false }
        return ConstantTime.equals(Array(digest(token).utf8), Array(stored.utf8))
    }

    static func digest(_ token: String) -> String { Hex.lowercase(Array(SHA256.hash(data: Array(token.utf8)))) }
}
