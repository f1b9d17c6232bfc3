import Foundation
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

    /// Alipay locks a payment password for 3 hours after the fifth wrong one.
    public static let defaultLockSeconds: Int64 = 3 * 3_600

    let store: any Store
    let kdf: PasswordKDF
    let clock: any Clock
    let lockSeconds: Int64

    public init(store: any Store, kdf: PasswordKDF, clock: any Clock, lockSeconds: Int64 = Self.defaultLockSeconds) {
        self.store = store; self.kdf = kdf; self.clock = clock; self.lockSeconds = lockSeconds
    }

    /// The confirm pages' check: the logon id typed must be `expected`'s account, then its
    /// payment password is verified. `nil` when the logon id names another account or none.
    public func confirm(logonId: String, of expected: UserId, password: String) async throws -> Outcome? {
        guard let account = try await store.account(logonId: logonId), account.userId == expected else { return nil }
        return try await verify(account, password: password)
    }

    /// Verifies in constant time under the slow KDF. Wrong passwords are counted by one atomic
    /// statement that also blocks the account at the fifth, for `lockSeconds` on the gateway
    /// clock, so parallel attempts cannot lose a count; a right one resets the count of an account
    /// that is not blocked and never ends a block early.
    public func verify(_ account: Account, password: String) async throws -> Outcome {
        guard !account.isBlocked(at: clock.now) else { return .blocked }
        var matches = false
        if let stored = account.passwordHash {
            do { matches = try await kdf.verify(password, against: stored) } catch is PasswordKDF.Busy { return .busy }
        }
        guard matches else {
            let now = clock.now
            let (failures, blocked) = try await store.recordWrongPassword(userId: account.userId, blockAt: PaymentPassword.attemptsBeforeBlock, now: now,
                                                                          lockUntil: now.addingTimeInterval(TimeInterval(lockSeconds)))
            return blocked ? .blocked : .wrong(remaining: PaymentPassword.attemptsBeforeBlock - failures)
        }
        return try await store.recordRightPassword(userId: account.userId, now: clock.now) ? .blocked : .accepted
    }
}
