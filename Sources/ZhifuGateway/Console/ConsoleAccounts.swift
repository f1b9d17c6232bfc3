import Foundation
import Hummingbird
import ZhifuCore
import ZhifuProtocol

struct ConsoleAccountRow {
    var userId: String
    var logonId: String
    var name: String
    var kind: String
    var status: String
    var blocked: Bool
    var isUser: Bool
    var balance: String
    var frozen: String
    var available: String
    var csrf: String
}

struct ConsoleAccountsModel {
    var csrf: String
    var query: String
    var error: String?
    var accounts: [ConsoleAccountRow]
}

/// `/console/accounts`: find accounts by logon id or user id, see balance, frozen and available
/// money, deposit or withdraw sandbox money (ledger transfers from or to the clearing account),
/// block or unblock.
extension ConsoleRoutes {
    func registerAccounts(on router: Router<GatewayRequestContext>) {
        router.get("/console/accounts") { request, _ in
            try await withSession(request) { session, _ in
                try await accountsPage(session: session, query: request.uri.queryParameters.get("q") ?? "", error: nil)
            }
        }
        for (action, withdraw) in [("deposit", false), ("withdraw", true)] {
            router.post("/console/accounts/:userId/\(action)") { request, context in
                try await withSession(request, form: true) { session, form in
                    let userId = context.parameters.get("userId") ?? ""
                    do {
                        _ = try await actions.move(userId: userId, amount: form["amount"] ?? "", withdraw: withdraw)
                    } catch OperatorActions.Refusal.invalid(let reason) {
                        return try await accountsPage(session: session, query: userId, error: reason)
                    }
                    return redirect("/console/accounts?q=\(userId)")
                }
            }
        }
        for (action, blocked) in [("block", true), ("unblock", false)] {
            router.post("/console/accounts/:userId/\(action)") { request, context in
                try await withSession(request, form: true) { _, _ in
                    let userId = context.parameters.get("userId") ?? ""
                    try await actions.setStatus(userId: userId, blocked: blocked)
                    return redirect("/console/accounts?q=\(userId)")
                }
            }
        }
    }

    private func accountsPage(session current: String, query: String, error: String?) async throws -> Response {
        let csrf = session.csrfToken(for: current)
        let now = gateway.clock.now
        let rows = try await gateway.accounts.search(query, limit: 50).map {
            ConsoleAccountRow(userId: $0.userId.rawValue, logonId: $0.logonId, name: $0.name, kind: $0.kind.rawValue, status: $0.status.rawValue,
                              blocked: $0.isBlocked(at: now), isUser: $0.kind == .user, balance: $0.balance.description, frozen: $0.frozen.description,
                              available: $0.available.description, csrf: csrf)
        }
        return Pages.render("console_accounts", ConsoleAccountsModel(csrf: csrf, query: query, error: error, accounts: rows), title: "账户",
                            status: error == nil ? .ok : .badRequest)
    }
}
