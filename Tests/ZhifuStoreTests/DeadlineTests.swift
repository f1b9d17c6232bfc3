import Foundation
import Testing
import ZhifuCore
@testable import ZhifuStorePostgres

/// A unit of work that never hears back from the database ends in a store error, not a hang.
@Suite struct DeadlineTests {
    @Test func aUnitThatNeverAnswersFailsAtItsDeadline() async throws {
        let started = ContinuousClock.now
        // Never resumed, and deaf to cancellation: what a wait on a lost connection looks like.
        var message = ""
        do {
            _ = try await Deadline.run(seconds: 1) { () async throws -> Int in
                await withCheckedContinuation { (_: CheckedContinuation<Void, Never>) in }
                return 1
            }
        } catch StoreError.database(let text) {
            message = text
        }
        let elapsed = ContinuousClock.now - started
        #expect(message.contains("did not answer within 1 s"))
        #expect(elapsed >= .seconds(1) && elapsed < .seconds(60), "ends (the suite's busy pool may delay the timer), never hangs")
    }

    @Test func answersAndErrorsInTimePassThrough() async throws {
        #expect(try await Deadline.run(seconds: 5) { 42 } == 42)
        await #expect(throws: StoreError.self) {
            try await Deadline.run(seconds: 5) { () async throws -> Int in throw StoreError.duplicate("x") }
        }
    }

    /// A shutdown cancels what waits on the database; the caller must not wait out the deadline
    /// for a unit that does not hear the cancellation.
    /// The deadline is far beyond the bound on the wait, so that a busy test pool (seconds of delay
    /// on a loaded CI machine) cannot pass for the deadline, nor the deadline for a cancellation.
    @Test func cancellingTheCallerEndsItsWaitEvenWhenTheUnitIsDeaf() async throws {
        let task = Task {
            try await Deadline.run(seconds: 180) { () async throws -> Int in
                await withCheckedContinuation { (_: CheckedContinuation<Void, Never>) in }
                return 1
            }
        }
        try await Task.sleep(for: .milliseconds(100))
        let started = ContinuousClock.now
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(ContinuousClock.now - started < .seconds(60), "not the 180 s deadline")
    }

    @Test func cancellingTheCallerCancelsTheUnit() async throws {
        let task = Task {
            try await Deadline.run(seconds: 30) { () async throws -> Int in
                try await Task.sleep(for: .seconds(30))
                return 1
            }
        }
        try await Task.sleep(for: .milliseconds(100))
        let started = ContinuousClock.now
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(ContinuousClock.now - started < .seconds(60))
    }
}
