import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ZhifuProtocol

/// Runs the payment-password KDF (about 40 ms of one core) on threads of its own, so that a few
/// logins cannot stall the event loops and Swift's cooperative pool that every request shares.
///
/// The queue is bounded: beyond `maximumWaiting` checks in flight a new one is refused at once
/// (`Busy`) instead of piling up behind the others. Each gateway has its own bound; the threads
/// are the process's.
public final class PasswordKDF: Sendable {
    public struct Busy: Error, Equatable {}

    /// Half the cores (at least one): the other half keeps answering requests during a burst.
    static let threads: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: max(1, System.coreCount / 2))
        pool.start()
        return pool
    }()

    private let maximumWaiting: Int
    private let inFlight = NIOLockedValueBox(0)
    /// Runs the KDF on the caller's thread, as Zhifu did before: kept only so that `zhifu bench
    /// logins` can measure both in one run.
    private let runsInline: Bool

    public init(maximumWaiting: Int = 64, runsInline: Bool = false) {
        self.maximumWaiting = maximumWaiting
        self.runsInline = runsInline
    }

    /// `PaymentPassword.verify` on the pool.
    public func verify(_ password: String, against stored: String) async throws -> Bool {
        let admitted = inFlight.withLockedValue { count in
            guard count < maximumWaiting else { return false }
            count += 1
            return true
        }
        guard admitted else { throw Busy() }
        defer { inFlight.withLockedValue { $0 -= 1 } }
        if runsInline { return PaymentPassword.verify(password, against: stored) }
        return try await Self.threads.runIfActive { PaymentPassword.verify(password, against: stored) }
    }
}

/// Payment-password checks shared by every page that asks for one (batch confirm, cashier).
public struct PaymentPasswordCheck: Sendable {
    public enum Outcome: Equatable, Sendable {
        case accepted
        /// Wrong; `remaining` tries before the account is blocked.
        case wrong(remaining: Int)
        /// Blocked now or before (USER_BLOCK_STATUS).
        case blocked
        /// Too many checks are waiting for the KDF; nothing was counted.
        case busy
    }

    let store: any Store
    let kdf: PasswordKDF

    public init(store: any Store, kdf: PasswordKDF) {
        self.store = store
        self.kdf = kdf
    }

    /// Verifies in constant time under the slow KDF. Wrong passwords are counted by one atomic
    /// statement that also blocks the account at the fifth, so parallel attempts cannot lose a
    /// count; a right one resets the count of a normal account and never unblocks one.
    public func verify(_ account: Account, password: String) async throws -> Outcome {
        guard account.status == .normal else { return .blocked }
        var matches = false
        if let stored = account.passwordHash {
            do { matches = try await kdf.verify(password, against: stored) } catch is PasswordKDF.Busy { return .busy }
        }
        guard matches else {
            let (failures, status) = try await store.recordWrongPassword(userId: account.userId, blockAt: PaymentPassword.attemptsBeforeBlock)
            return status == .blocked ? .blocked : .wrong(remaining: PaymentPassword.attemptsBeforeBlock - failures)
        }
        return try await store.recordRightPassword(userId: account.userId) == .normal ? .accepted : .blocked
    }
}
