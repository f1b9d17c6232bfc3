import Foundation
import ZhifuProtocol

/// Who is who: accounts by id or logon id. Handlers read people through this, never the store.
public struct AccountService: Sendable {
    let store: any Store

    public init(store: any Store) { self.store = store }

    public func account(userId: UserId) async throws -> Account? { try await store.account(userId: userId) }
    public func account(logonId: String) async throws -> Account? { try await store.account(logonId: logonId) }
    /// Logout: every session of the account ends, on every node.
    public func endSessions(userId: UserId) async throws { try await store.endSessions(userId: userId) }

    /// Sets a balance in the sandbox by one transfer to or from the clearing account, so the
    /// ledger still balances (a buyer with too little to pay, say). Refused if the balance moved meanwhile.
    public func setBalance(userId: UserId, to target: Amount, at now: Date) async throws {
        guard let account = try await store.account(userId: userId), account.kind == .user else { throw StoreError.notFound("account \(userId)") }
        let delta = target.fen - account.balance.fen
        guard delta != 0 else { return }
        let (debit, credit) = delta > 0 ? (SystemAccounts.clearing, userId) : (userId, SystemAccounts.clearing)
        let transfer = Transfer(id: "adjust-" + SecureRandom.alphanumeric(16), debit: debit, credit: credit, amount: Amount(fen: abs(delta)),
                                code: .adjustment, reference: "sandbox", createdAt: now)
        let result = try await store.post([transfer])[0]
        guard result.isPosted else { throw StoreError.constraint("balance of \(userId) not set: \(result)") }
    }

    /// A sandbox deposit (from the clearing account) or withdrawal (to it); a withdrawal spends only
    /// what is available (frozen money stays). Returns how the ledger answered.
    public func move(userId: UserId, amount: Amount, withdraw: Bool, at now: Date) async throws -> TransferResult {
        let (debit, credit) = withdraw ? (userId, SystemAccounts.clearing) : (SystemAccounts.clearing, userId)
        let transfer = Transfer(id: (withdraw ? "withdraw-" : "deposit-") + SecureRandom.alphanumeric(16), debit: debit, credit: credit, amount: amount,
                                code: .adjustment, reference: "console", createdAt: now)
        return try await store.post([transfer])[0]
    }

    /// Accounts whose logon id or user id starts with `text`, at most `limit`.
    public func search(_ text: String, limit: Int) async throws -> [Account] {
        guard text.utf8.count <= 100 else { return [] }
        return try await store.searchAccounts(prefix: text, limit: limit)
    }

    /// A user (not clearing) account by logon id: the only kind that logs in or pays.
    public func user(logonId: String) async throws -> Account? {
        guard logonId.utf8.count <= 100, let account = try await store.account(logonId: logonId), account.kind == .user else { return nil }
        return account
    }
}

/// Merchants, their OpenAPI apps and the app_auth_tokens that let an app act for a merchant.
public struct MerchantService: Sendable {
    let store: any Store

    public init(store: any Store) { self.store = store }

    public func merchant(partner: UserId) async throws -> Merchant? { try await store.merchant(partner: partner) }
    public func app(appId: String) async throws -> App? { try await store.app(appId: appId) }

    /// The grant behind an app_auth_token, if the token is one and belongs to `appId`.
    public func grant(token: String, appId: String) async throws -> AppAuthToken? {
        guard token.utf8.count <= 40, let grant = try await store.appAuthToken(token), grant.appId == appId else { return nil }
        return grant
    }
}

/// What merchants are told: the notifier claims what is due and records each try;
/// `notify_verify` asks whether a notification is still unacknowledged.
public struct NotificationService: Sendable {
    let store: any Store
    let clock: any Clock

    public init(store: any Store, clock: any Clock) { self.store = store; self.clock = clock }

    /// Due notifications, leased for `leaseSeconds` so that no other worker or node takes them.
    public func claimDue(limit: Int, leaseSeconds: Int64) async throws -> [OutboxNotification] {
        try await store.claimDueNotifications(now: clock.now, limit: limit, leaseSeconds: leaseSeconds)
    }

    /// Each try, and the notification's next state, in one transaction.
    public func record(_ outcomes: [NotificationOutcome]) async throws {
        try await store.recordNotificationAttempts(outcomes)
    }

    public func attempts(notifyId: String) async throws -> [NotificationAttempt] {
        try await store.notificationAttempts(notifyId: notifyId)
    }

    /// `true` while `notifyId` belongs to `partner` and has not been acknowledged.
    public func isPending(notifyId: String, partner: UserId) async throws -> Bool {
        guard let notification = try await store.notification(notifyId: notifyId) else { return false }
        return notification.partner == partner && notification.status != .acknowledged
    }
}
