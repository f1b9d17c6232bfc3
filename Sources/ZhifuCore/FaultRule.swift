import Foundation
import ZhifuProtocol

/// A sandbox fault the operator switched on in the console: a method that answers an error, or a
/// notify URL that answers a chosen status and body (or times out) — the rare paths a merchant's
/// code must survive, made to happen on purpose. Kept in the store, so every node applies it.
public struct FaultRule: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// An OpenAPI method (`alipay.trade.pay`) answers `answer`: `20000`, or a business sub_code.
        case method
        /// Notifications to URLs starting with `target` get HTTP `answer` (or `timeout`) and `body`.
        case notify
        /// The buyer `target` (a user id) is declined with the sub_code `answer` when paying.
        case buyer
    }

    public var id: String
    public var kind: Kind
    public var target: String
    public var answer: String
    public var body: String?
    /// How many more times it fires; `nil`: every time until switched off.
    public var remaining: Int64?
    /// The share of matching calls it fires on, in percent (drawn per call); `nil`: every call.
    public var sharePercent: Int?
    /// How often it fired.
    public var fired: Int64
    public var enabled: Bool
    public var createdAt: Date

    public init(id: String, kind: Kind, target: String, answer: String, body: String?, remaining: Int64?, sharePercent: Int? = nil, fired: Int64 = 0,
                enabled: Bool = true, createdAt: Date) {
        self.id = id; self.kind = kind; self.target = target; self.answer = answer; self.body = body; self.remaining = remaining
        self.sharePercent = sharePercent
        self.fired = fired; self.enabled = enabled; self.createdAt = createdAt
    }

    public func applies(to kind: Kind, _ value: String) -> Bool {
        enabled && self.kind == kind && (kind == .notify ? value.hasPrefix(target) : value == target) && (remaining.map { $0 > 0 } ?? true)
    }

    /// Checks what an operator typed: a known kind, a target, an answer the kind can give.
    public static func validate(kind: Kind, target: String, answer: String, body: String?, remaining: Int64?, sharePercent: Int? = nil) -> String? {
        guard !target.isEmpty, target.utf8.count <= 256 else { return "target: 1–256 characters" }
        if kind == .notify {
            guard answer == "timeout" || Int(answer).map({ (100...599).contains($0) }) == true else { return "answer: an HTTP status or timeout" }
            guard target.hasPrefix("http://") || target.hasPrefix("https://") else { return "target: a notify URL prefix" }
        } else {
            if kind == .buyer, UserId(target) == nil { return "target: the buyer's user id (2088…)" }
            guard !answer.isEmpty, answer.utf8.count <= 64, answer.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_") }) else {
                return "answer: 20000 or a sub_code such as ACQ.SYSTEM_ERROR"
            }
        }
        if let body, body.utf8.count > 1_024 { return "body: at most 1024 bytes" }
        if let remaining, remaining <= 0 || remaining > 1_000_000 { return "count: 1–1000000, or empty for every time" }
        if let sharePercent, !(1...100).contains(sharePercent) { return "share: 1–100 percent of calls, or empty for every call" }
        return nil
    }
}

public protocol FaultRuleRepository: Sendable {
    func insertFaultRule(_ rule: FaultRule) async throws
    /// Every rule, newest first.
    func faultRules() async throws -> [FaultRule]
    /// Fires the rule once, in one statement: only while enabled and not used up; `false` otherwise.
    func fireFaultRule(id: String) async throws -> Bool
    func disableFaultRule(id: String) async throws -> Bool
}
