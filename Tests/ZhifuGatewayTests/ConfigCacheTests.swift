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

    @Test func aFailedLoadIsNotKept() async throws {
        let cache = ConfigCache<Int, String>(ttl: .seconds(60))
        await #expect(throws: Refused.self) { try await cache.value(1) { throw Refused() } }
        #expect(try await cache.value(1) { "loaded" } == "loaded")
    }

    @Test func aLoadBegunBeforeRemoveAllIsNotKept() async throws {
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
        signalRelease.yield()
        #expect(try await stale.value == "old key", "its caller still gets what it read")
        #expect(try await cache.value(1) { "new key" } == "new key", "but the next caller reads again")
    }
}
