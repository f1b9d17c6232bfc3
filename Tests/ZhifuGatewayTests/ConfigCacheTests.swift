import Foundation
import Synchronization
import Testing
@testable import ZhifuGateway

/// The node's short-lived configuration cache: one load per key at a time, nothing kept that was
/// loaded before everything was forgotten, and a failed load tried again by the next caller.
@Suite struct ConfigCacheTests {
    struct Refused: Error {}

    final class Loads: Sendable {
        let count = Atomic(0)
        var value: Int { count.load(ordering: .relaxed) }
    }

    final class Held: Sendable {
        let continuation = Mutex<CheckedContinuation<Void, Never>?>(nil)
    }

    /// Late callers find the value kept (the ttl is long), so the count does not hang on timing.
    @Test func callersOfAMissingKeyShareOneLoad() async throws {
        let cache = ConfigCache<Int, String>(ttl: .seconds(60))
        let loads = Loads()
        let read: @Sendable () async throws -> String? = {
            try await cache.value(1) {
                loads.count.add(1, ordering: .relaxed)
                try await Task.sleep(for: .milliseconds(50))
                return "rules"
            }
        }
        let answers = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<50 { group.addTask { try await read() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers.count == 50 && answers.allSatisfy { $0 == "rules" })
        #expect(loads.value == 1)
    }

    @Test func anExpiredValueIsLoadedAgain() async throws {
        let cache = ConfigCache<Int, Int>(ttl: .zero)
        let loads = Loads()
        for expected in 1...2 {
            #expect(try await cache.value(1) { loads.count.add(1, ordering: .relaxed).newValue } == expected)
        }
    }

    /// A key rotated elsewhere while a slow load was reading must stop verifying within the ttl of
    /// that read, not of its end.
    @Test func anEntryLivesTheTtlFromWhenItsLoadBegan() async throws {
        let cache = ConfigCache<Int, Int>(ttl: .milliseconds(200))
        let loads = Loads()
        let slow = try await cache.value(1) {
            try await Task.sleep(for: .milliseconds(300))
            return loads.count.add(1, ordering: .relaxed).newValue
        }
        #expect(slow == 1)
        #expect(try await cache.value(1) { loads.count.add(1, ordering: .relaxed).newValue } == 2, "read more than the ttl ago")
    }

    @Test func aFailedLoadIsNotKept() async throws {
        let cache = ConfigCache<Int, String>(ttl: .seconds(60))
        await #expect(throws: Refused.self) { try await cache.value(1) { throw Refused() } }
        #expect(try await cache.value(1) { "loaded" } == "loaded")
    }

    @Test(.timeLimit(.minutes(1))) func aLoadBegunBeforeRemoveAllIsNotKept() async throws {
        let cache = ConfigCache<Int, String>(ttl: .seconds(60))
        let (started, signalStarted) = AsyncStream<Void>.makeStream()
        let (release, signalRelease) = AsyncStream<Void>.makeStream()
        let stale = Task {
            try await cache.value(1) {
                signalStarted.yield()
                for await _ in release { break }
                return "old key"
            }
        }
        for await _ in started { break }
        cache.removeAll()
        #expect(try await cache.value(1) { "new key" } == "new key", "a caller after it loads again, not joining the earlier load")
        signalRelease.yield()
        #expect(try await stale.value == "old key", "the earlier caller still gets what it read")
        #expect(try await cache.value(1) { "loaded again" } == "new key", "and the earlier load, ending later, replaces nothing")
    }

    /// A load deaf to cancellation (as a wait on postgres-nio's pool after a restart was) must not
    /// hold its caller: a request or a shutdown would wait for the load's own deadline.
    @Test(.timeLimit(.minutes(1))) func aCancelledCallerStopsWaitingForALoadThatDoesNotAnswer() async throws {
        let cache = ConfigCache<Int, String>(ttl: .seconds(60))
        let held = Held()
        let (started, signalStarted) = AsyncStream<Void>.makeStream()
        let caller = Task {
            try await cache.value(1) {
                await withCheckedContinuation { continuation in
                    held.continuation.withLock { $0 = continuation }
                    signalStarted.yield()
                }
                return "late"
            }
        }
        for await _ in started { break }
        // Answers the load after 20 s, so that a cache that waits for it fails here instead of hanging.
        let answer = Task { try await Task.sleep(for: .seconds(20)); held.continuation.withLock { $0.take() }?.resume() }
        caller.cancel()
        await #expect(throws: CancellationError.self) { try await caller.value }
        #expect(held.continuation.withLock { $0 != nil }, "the caller left while the load was still unanswered")
        answer.cancel()
        held.continuation.withLock { $0.take() }?.resume()
    }

    @Test(.timeLimit(.minutes(1))) func theLoadGoesOnWhenItsCallersLeave() async throws {
        let cache = ConfigCache<Int, String>(ttl: .seconds(60))
        let loads = Loads()
        let (started, signalStarted) = AsyncStream<Void>.makeStream()
        let (release, signalRelease) = AsyncStream<Void>.makeStream()
        let first = Task {
            try await cache.value(1) {
                loads.count.add(1, ordering: .relaxed)
                signalStarted.yield()
                for await _ in release { break }
                return "rules"
            }
        }
        for await _ in started { break }
        let second = Task { try await cache.value(1) { loads.count.add(1, ordering: .relaxed); return "a second load" } }
        while cache.waiting(for: 1) < 2 { try await Task.sleep(for: .milliseconds(1)) }
        // Releases the load after 20 s anyway, so that a cache whose cancelled caller waits fails here instead of hanging.
        let released = Loads()
        let backstop = Task { try await Task.sleep(for: .seconds(20)); released.count.add(1, ordering: .relaxed); signalRelease.yield() }
        first.cancel()
        await #expect(throws: CancellationError.self) { try await first.value }
        #expect(released.value == 0, "the first caller left while the load was still unanswered")
        backstop.cancel()
        signalRelease.yield()
        #expect(try await second.value == "rules")
        #expect(loads.value == 1)

        // Every caller gone: the load is still the one the next caller joins (loads stuck on the
        // database must not pile up), and what it loads is kept.
        let (release2, signalRelease2) = AsyncStream<Void>.makeStream()
        let lone = Task {
            try await cache.value(2) {
                loads.count.add(1, ordering: .relaxed)
                for await _ in release2 { break }
                return "settings"
            }
        }
        while cache.waiting(for: 2) < 1 { try await Task.sleep(for: .milliseconds(1)) }
        lone.cancel()
        await #expect(throws: CancellationError.self) { try await lone.value }
        let next = Task { try await cache.value(2) { loads.count.add(1, ordering: .relaxed); return "a fourth load" } }
        while cache.waiting(for: 2) < 1 { try await Task.sleep(for: .milliseconds(1)) }
        signalRelease2.yield()
        #expect(try await next.value == "settings")
        #expect(loads.value == 2)
        #expect(try await cache.value(2) { "not loaded" } == "settings")
    }
}
