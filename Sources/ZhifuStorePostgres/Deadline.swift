import Synchronization
import ZhifuCore

/// Bounds a unit of work in time. After a PostgreSQL restart under load, a unit waiting on
/// postgres-nio's pool was seen to wait for ever (no connection, no error; the reliability run and
/// `zhifu serve`'s shutdown hung on it). A request must fail cleanly instead: past the deadline the
/// caller gets `StoreError.database` (20000 to a merchant, as for any store failure) and the unit is
/// cancelled. A transaction that still commits later is one the merchant finds by querying, like
/// any answer lost on the way.
enum Deadline {
    struct Expired: Error, CustomStringConvertible {
        let seconds: Int
        var description: String { "the database did not answer within \(seconds) s" }
    }

    /// Who answers first: the work or the timer.
    final class State<T: Sendable>: Sendable {
        let waiting = Mutex<CheckedContinuation<T, any Error>?>(nil)
        let tasks = Mutex<(work: Task<Void, Never>?, timer: Task<Void, Never>?)>((nil, nil))
    }

    static func run<T: Sendable>(seconds: Int, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let state = State<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                state.waiting.withLock { $0 = continuation }
                // The timer is known before the work starts, so finished work always stops it.
                let timer = Task { @Sendable in
                    try? await Task.sleep(for: .seconds(seconds))
                    guard !Task.isCancelled, let continuation = state.waiting.withLock({ $0.take() }) else { return }
                    state.tasks.withLock { $0.work }?.cancel()
                    continuation.resume(throwing: StoreError.database(Expired(seconds: seconds).description))
                }
                state.tasks.withLock { $0.timer = timer }
                let work = Task { @Sendable in
                    let result: Result<T, any Error>
                    do { result = .success(try await body()) } catch { result = .failure(error) }
                    state.tasks.withLock { $0.timer }?.cancel()
                    state.waiting.withLock { $0.take() }?.resume(with: result)
                }
                state.tasks.withLock { $0.work = work }
                if Task.isCancelled { state.cancel() }
            }
        } onCancel: {
            state.cancel()
        }
    }
}

extension Deadline.State {
    /// The caller was cancelled (a request's client gone, the service group stopping): the unit is
    /// cancelled, and the caller stops waiting at once. A unit deaf to cancellation (a wait on
    /// postgres-nio's pool after a restart) must not hold a shutdown for the rest of its deadline;
    /// `zhifu serve` was killed by its service group's cancellation limit on it.
    func cancel() {
        let (work, timer) = tasks.withLock { $0 }
        work?.cancel()
        timer?.cancel()
        waiting.withLock { $0.take() }?.resume(throwing: CancellationError())
    }
}
