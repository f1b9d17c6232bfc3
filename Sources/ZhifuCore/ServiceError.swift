import ZhifuProtocol

/// A MAPI service refusing a request: the seed's code, and a sentence for the developer
/// (shown on error pages under the code's meaning).
public struct MAPIFailure: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: MAPIError
    public var message: String

    public init(_ code: MAPIError, _ message: String = "") {
        self.code = code
        self.message = message
    }

    public var description: String { message.isEmpty ? code.rawValue : "\(code.rawValue): \(message)" }
}

/// Payment-password checks shared by every page that asks for one (batch confirm, cashier).
public struct PaymentPasswordCheck: Sendable {
    public enum Outcome: Equatable, Sendable {
        case accepted
        /// Wrong; `remaining` tries before the account is blocked.
        case wrong(remaining: Int)
        /// Blocked now or before (USER_BLOCK_STATUS).
        case blocked
    }

    let store: any Store

    public init(store: any Store) { self.store = store }

    /// Verifies in constant time under the slow KDF. Five wrong passwords in a row block the
    /// account; a right one resets the count. A blocked account is refused without checking.
    public func verify(_ account: Account, password: String) async throws -> Outcome {
        guard account.status == .normal else { return .blocked }
        guard let stored = account.passwordHash, PaymentPassword.verify(password, against: stored) else {
            let failures = account.failedPasswordAttempts + 1
            let blocked = failures >= PaymentPassword.attemptsBeforeBlock
            try await store.updateAccountSecurity(userId: account.userId, status: blocked ? .blocked : .normal, failedPasswordAttempts: failures)
            return blocked ? .blocked : .wrong(remaining: PaymentPassword.attemptsBeforeBlock - failures)
        }
        if account.failedPasswordAttempts > 0 {
            try await store.updateAccountSecurity(userId: account.userId, status: .normal, failedPasswordAttempts: 0)
        }
        return .accepted
    }
}
