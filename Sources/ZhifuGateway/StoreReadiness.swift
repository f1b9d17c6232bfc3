import Foundation
import Logging
import ZhifuCore

/// Whether the store answers: a start waits for it for a bounded time, and `/health` never waits
/// for a database that is gone longer than a couple of seconds.
public enum StoreReadiness {
    public struct TimedOut: Error, CustomStringConvertible {
        public var seconds: Double
        public var description: String { "no answer within \(seconds) s" }
    }

    /// `body`'s result, or ``TimedOut`` after `seconds` (the body is cancelled).
    public static func withTimeout<T: Sendable>(seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                throw TimedOut(seconds: seconds)
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    /// Returns once the store answers a read; retries with backoff (0.25 s doubling to 5 s) and
    /// gives up after `seconds` with the last reason.
    public static func wait(for store: any Store, seconds: Int64, logger: Logger) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        var delay = Duration.milliseconds(250)
        while true {
            do {
                try await withTimeout(seconds: 15) { try await store.probe() }
                return
            } catch {
                let remaining = deadline - ContinuousClock.now
                guard remaining > .zero else { throw StoreError.database("the database did not answer within \(seconds) s: \(error)") }
                logger.warning("the database does not answer yet; trying again in \(min(delay, remaining)): \(error)")
                try await Task.sleep(for: min(delay, remaining))
                delay = min(delay * 2, .seconds(5))
            }
        }
    }
}
