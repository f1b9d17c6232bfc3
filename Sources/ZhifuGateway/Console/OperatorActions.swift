import Foundation
import ZhifuCore
import ZhifuProtocol

/// What an operator can do, once: the console's forms and the admin API (and through it the CLI)
/// call these, so the three never disagree.
struct OperatorActions: Sendable {
    let gateway: Gateway

    /// A trade's story: what happened to it, in order, and every notification about it with its tries.
    struct TradeStory: Sendable {
        var trade: Trade
        var events: [(time: Date, what: String)]
        var notifications: [(notification: OutboxNotification, tries: [NotificationAttempt])]
    }

    enum Refusal: Error, Equatable {
        case notFound
        /// The sandbox clock moves only with `--clock manual`.
        case systemClock
        case invalid(String)
    }

    func tradeStory(tradeNo: String) async throws -> TradeStory? {
        guard let trade = try await gateway.trades.stored(tradeNo: tradeNo) else { return nil }
        let method = trade.details.method.isEmpty ? "" : " (\(trade.details.method))"
        var events: [(time: Date, what: String)] = [(trade.createdAt, "创建 \(trade.amount)\(method)")]
        if let paidAt = trade.details.paidAt { events.append((paidAt, "支付成功 \(trade.payAmount)")) }
        for refund in try await gateway.trades.refunds(tradeNo: tradeNo) {
            events.append((refund.createdAt, "退款 \(refund.amount) (\(refund.outRequestNo))"))
        }
        for transfer in try await gateway.store.transfers(reference: tradeNo) {
            events.append((transfer.createdAt, "转账 \(transfer.code.rawValue) \(transfer.amount): \(transfer.debit) → \(transfer.credit)"))
        }
        if let closedAt = trade.details.closedAt { events.append((closedAt, "关闭")) }
        return TradeStory(trade: trade, events: events.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element),
                          notifications: try await withTries(gateway.store.notifications(reference: tradeNo)))
    }

    func notifications(_ filter: NotificationFilter, limit: Int) async throws -> [(notification: OutboxNotification, tries: [NotificationAttempt])] {
        try await withTries(gateway.store.recentNotifications(filter, limit: limit))
    }

    /// A filter from query parameters `status`, `type`, `url` (empty ones ignored, each bounded).
    static func notificationFilter(_ query: (String) -> String?) -> NotificationFilter {
        func value(_ name: String) -> String? { query(name).flatMap { $0.isEmpty || $0.utf8.count > 200 ? nil : $0 } }
        return NotificationFilter(status: value("status").flatMap(OutboxNotification.Status.init(rawValue:)), notifyType: value("type"), urlPrefix: value("url"))
    }

    private func withTries(_ notifications: [OutboxNotification]) async throws -> [(notification: OutboxNotification, tries: [NotificationAttempt])] {
        var result: [(notification: OutboxNotification, tries: [NotificationAttempt])] = []
        for notification in notifications {
            result.append((notification, try await gateway.store.notificationAttempts(notifyId: notification.notifyId)))
        }
        return result
    }

    func resend(notifyId: String) async throws {
        guard notifyId.utf8.count <= 64, try await gateway.store.resendNotification(notifyId: notifyId, now: gateway.clock.now) else {
            throw Refusal.notFound
        }
    }

    func advanceClock(seconds: Int64) async throws -> Date {
        guard gateway.manualClock != nil else { throw Refusal.systemClock }
        guard (0...SandboxRoutes.maximumAdvanceSeconds).contains(seconds) else {
            throw Refusal.invalid("seconds must be an integer from 0 to \(SandboxRoutes.maximumAdvanceSeconds)")
        }
        return try await gateway.advanceSandboxClock(seconds: seconds) ?? gateway.clock.now
    }

    /// Moves the sandbox clock to the next due notification try, trade timeout or bank answer, whichever comes first.
    func advanceToNextDue() async throws -> Date {
        let candidates = [try await gateway.store.nextNotificationDue(), try await gateway.store.nextTradeExpiry(),
                          try await gateway.store.nextBptbDue()].compactMap { $0 }
        guard let next = candidates.min() else { throw Refusal.invalid("nothing is due: no pending notification, no unpaid trade, no bank answer") }
        let seconds = max(0, Int64((next.timeIntervalSince(gateway.clock.now)).rounded(.up)))
        return try await advanceClock(seconds: seconds)
    }

    /// A rule from the console's form or the admin API's: kind, target, answer, body, count, share.
    func addFault(form: ZhifuProtocol.Parameters) async throws -> FaultRule {
        guard let kind = form["kind"].flatMap(FaultRule.Kind.init(rawValue:)) else { throw Refusal.invalid("kind: method, notify or buyer") }
        func number<T: FixedWidthInteger>(_ name: String, _ type: T.Type) throws -> T? {
            guard let text = form[name], !text.isEmpty else { return nil }
            guard let value = T(text) else { throw Refusal.invalid("\(name): a number, or empty") }
            return value
        }
        return try await addFault(kind: kind, target: form["target"] ?? "", answer: form["answer"] ?? "", body: form["body"].flatMap { $0.isEmpty ? nil : $0 },
                                  remaining: try number("count", Int64.self), sharePercent: try number("share", Int.self))
    }

    func addFault(kind: FaultRule.Kind, target: String, answer: String, body: String?, remaining: Int64?, sharePercent: Int? = nil) async throws -> FaultRule {
        if let refusal = FaultRule.validate(kind: kind, target: target, answer: answer, body: body, remaining: remaining, sharePercent: sharePercent) {
            throw Refusal.invalid(refusal)
        }
        let rule = FaultRule(id: SecureRandom.digits(12), kind: kind, target: target, answer: answer, body: body, remaining: remaining,
                             sharePercent: sharePercent, createdAt: gateway.clock.now)
        try await gateway.store.insertFaultRule(rule)
        gateway.faultRules.removeAll()
        return rule
    }

    /// A sandbox deposit into (or withdrawal from) a user account, through the clearing account.
    func move(userId text: String, amount text2: String, withdraw: Bool) async throws -> Account {
        guard let userId = UserId(text), let account = try await gateway.accounts.account(userId: userId), account.kind == .user else { throw Refusal.notFound }
        guard let amount = Amount(text2), amount.fen > 0, amount <= Transfer.maximumAmount else { throw Refusal.invalid("amount: yuan, e.g. 100.00") }
        let result = try await gateway.accounts.move(userId: userId, amount: amount, withdraw: withdraw, at: gateway.clock.now)
        guard result == .created else { throw Refusal.invalid(result == .exceedsBalance ? "more than the available balance" : result.rawValue) }
        return try await gateway.accounts.account(userId: userId) ?? account
    }

    /// A new merchant MD5 key (交易安全校验码): the old one stops verifying at once on this node,
    /// within a second on the others.
    func rotateMD5Key(partner text: String) async throws -> String {
        guard let partner = UserId(text), var merchant = try await gateway.store.merchant(partner: partner) else { throw Refusal.notFound }
        let key = SecureRandom.alphanumeric(32)
        merchant.md5Key = key
        try await gateway.store.upsertMerchant(merchant)
        gateway.merchants.removeAll()
        return key
    }

    /// A merchant's notify settings from the console's form or the admin API's: `redirect_url`
    /// (empty: none) and `paused` (`on`/`true` holds the notifications).
    func setNotifySettings(partner text: String, form: ZhifuProtocol.Parameters) async throws -> MerchantNotifySettings {
        guard let partner = UserId(text) else { throw Refusal.notFound }
        let redirect = form["redirect_url"].flatMap { $0.isEmpty ? nil : $0 }
        if let refusal = MerchantNotifySettings.validate(redirectURL: redirect) { throw Refusal.invalid(refusal) }
        let settings = MerchantNotifySettings(partner: partner, redirectURL: redirect, paused: ["on", "true", "1"].contains(form["paused"] ?? ""))
        guard try await gateway.store.setNotifySettings(settings) else { throw Refusal.notFound }
        gateway.notifySettings.removeAll()
        return settings
    }

    /// A new user account with a payment password and a zero balance (money arrives by deposit).
    func createAccount(userId text: String, logonId: String, name: String, password: String) async throws -> Account {
        guard let userId = UserId(text) else { throw Refusal.invalid("user id: 2088 and 12 digits") }
        guard (1...100).contains(logonId.count), (1...64).contains(name.count) else { throw Refusal.invalid("logon id 1–100, name 1–64 characters") }
        guard (6...64).contains(password.count) else { throw Refusal.invalid("payment password: 6–64 characters") }
        let hash = try await offCooperativeThreads { PaymentPassword.hash(password) }
        let account = Account(userId: userId, logonId: logonId, name: name, passwordHash: hash)
        do {
            guard try await gateway.store.insertAccount(account) else { throw Refusal.invalid("user id \(userId) exists") }
        } catch StoreError.duplicate {
            throw Refusal.invalid("logon id \(logonId) belongs to another account")
        }
        return account
    }

    /// An operator's block (for good) or unblock (also ends a password lock).
    func setStatus(userId text: String, blocked: Bool) async throws {
        guard let userId = UserId(text), let account = try await gateway.accounts.account(userId: userId), account.kind == .user else { throw Refusal.notFound }
        try await gateway.store.setAccountStatus(userId: userId, blocked ? .blocked : .normal)
    }

    func disableFault(id: String) async throws {
        guard id.utf8.count <= 32, try await gateway.store.disableFaultRule(id: id) else { throw Refusal.notFound }
        gateway.faultRules.removeAll()
    }
}
