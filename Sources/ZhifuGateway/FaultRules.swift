import Foundation
import ZhifuCore
import ZhifuProtocol

/// The console's fault rules as requests meet them. The enabled rules are read at most once a
/// second per node (nothing to read, nothing to do, when there are none); a rule fires by one
/// statement in the store, so "the next N calls" fires exactly N times however many nodes serve.
/// A share rule draws per call whether it applies (a share of calls, not every n-th).
struct FaultRules: Sendable {
    let gateway: Gateway

    func fire(_ kind: FaultRule.Kind, _ value: String) async throws -> FaultRule? {
        let rules = try await gateway.faultRules.value(0) { try await gateway.store.faultRules().filter(\.enabled) } ?? []
        for rule in rules where rule.applies(to: kind, value) {
            // A share rule lets the other calls through without touching the store.
            if let share = rule.sharePercent, Int.random(in: 0..<100) >= share { continue }
            if try await gateway.store.fireFaultRule(id: rule.id) { return rule }
        }
        return nil
    }
}

extension FaultRules {
    /// A buyer rule's decline, thrown where the buyer pays (payment code, cashier).
    func declineIfRuled(buyer: UserId) async throws {
        if let rule = try await fire(.buyer, buyer.rawValue) { throw rule.openAPIError }
    }
}

extension FaultRule {
    /// What a method rule answers: 20000 isp.unknow-error, or 40004 with the chosen sub_code.
    var openAPIError: OpenAPIError {
        if answer == "20000" { return .ispUnknowError }
        return .business(answer, TradeFailure(rawValue: answer)?.message ?? "沙箱故障规则 \(id)")
    }
}
