import Foundation
import Hummingbird
import ZhifuCore
import ZhifuProtocol

struct ConsoleTransferRow {
    var id: String
    var time: String
    var code: String
    var debit: String
    var credit: String
    var amount: String
    var reference: String
    /// The trade the transfer belongs to, when its reference is a trade number.
    var tradeLink: Bool
}

struct ConsoleLedgerModel {
    var csrf: String
    var reference: String
    var transfers: [ConsoleTransferRow]
}

/// `/console/ledger`: the newest transfers, or those of one business object, each linked to the
/// trade that caused it; the audit is on the overview.
extension ConsoleRoutes {
    func registerLedger(on router: Router<GatewayRequestContext>) {
        router.get("/console/ledger") { request, _ in
            try await withSession(request) { current, _ in
                let reference = request.uri.queryParameters.get("reference") ?? ""
                guard reference.utf8.count <= 64 else { throw HTTPError(.badRequest) }
                let transfers = reference.isEmpty ? try await gateway.store.recentTransfers(limit: 200)
                    : try await gateway.store.transfers(reference: reference)
                let rows = transfers.map {
                    ConsoleTransferRow(id: $0.id, time: calendar.timestamp($0.createdAt), code: $0.code.rawValue, debit: $0.debit.rawValue,
                                       credit: $0.credit.rawValue, amount: $0.amount.description, reference: $0.reference,
                                       tradeLink: $0.reference.count == 28 && $0.reference.allSatisfy(\.isNumber))
                }
                return Pages.render("console_ledger", ConsoleLedgerModel(csrf: session.csrfToken(for: current), reference: reference, transfers: rows),
                                    title: "账务")
            }
        }
    }
}
