import Foundation
import Hummingbird
import ZhifuCore
import ZhifuProtocol

struct ConsoleFaultRow {
    var id: String
    var kind: String
    var target: String
    var answer: String
    var body: String?
    var remaining: String
    var share: String
    var fired: String
    var enabled: Bool
    var csrf: String
}

struct ConsoleFaultsModel {
    var csrf: String
    var error: String?
    var rules: [ConsoleFaultRow]
}

/// `/console/faults`: the sandbox's fault rules — add one (a method answers an error for the next N
/// calls or every call; a notify URL answers a status and body, or times out), see how often each
/// fired, switch it off.
extension ConsoleRoutes {
    func registerFaults(on router: Router<GatewayRequestContext>) {
        router.get("/console/faults") { request, _ in
            try await withSession(request) { session, _ in try await faultsPage(session: session, error: nil) }
        }
        router.post("/console/faults") { request, _ in
            try await withSession(request, form: true) { session, form in
                do {
                    _ = try await actions.addFault(form: form)
                } catch OperatorActions.Refusal.invalid(let reason) {
                    return try await faultsPage(session: session, error: reason)
                }
                return redirect("/console/faults")
            }
        }
        router.post("/console/faults/:id/off") { request, context in
            try await withSession(request, form: true) { _, _ in
                try await actions.disableFault(id: context.parameters.get("id") ?? "")
                return redirect("/console/faults")
            }
        }
    }

    private func faultsPage(session current: String, error: String?) async throws -> Response {
        let csrf = session.csrfToken(for: current)
        let rows = try await gateway.store.faultRules().map {
            ConsoleFaultRow(id: $0.id, kind: $0.kind.rawValue, target: $0.target, answer: $0.answer, body: $0.body,
                            remaining: $0.remaining.map(String.init) ?? "∞",
                            share: $0.sharePercent.map { "\($0)%" } ?? "100%", fired: String($0.fired), enabled: $0.enabled, csrf: csrf)
        }
        return Pages.render("console_faults", ConsoleFaultsModel(csrf: csrf, error: error, rules: rows), title: "故障注入",
                            status: error == nil ? .ok : .badRequest)
    }
}
