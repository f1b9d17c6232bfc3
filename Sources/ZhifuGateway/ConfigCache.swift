import Synchronization

/// What a node read of rarely changing configuration (apps, merchants), kept for a short time so
/// that a payment does not read them from the store every time. A change (fixtures at start, a key
/// rotated) reaches every node within `ttl` of the read that loaded it.
///
/// One load per key at a time: callers that find the entry missing or expired while it is being
/// loaded wait for that load. Without this, every request in flight when an entry expired read the
/// store at once (under load, tens of reads of the fault rules each second instead of one).
///
/// A cancelled caller stops waiting at once, whatever the load is doing: a load stuck on the
/// database (postgres-nio's pool after a restart) must not hold a request or a shutdown. The load
/// goes on (the store bounds it in time) and stays the one later callers join, even when every
/// caller has left: loads stuck on the database do not pile up.
final class ConfigCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry {
        var value: Value?
        var until: ContinuousClock.Instant
    }

    /// A load in flight and the callers waiting for it.
    private struct Flight {
        let key: Key
        let generation: Int
        let started: ContinuousClock.Instant
        var waiters: [Int: CheckedContinuation<Value?, any Error>] = [:]
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var flights: [Int: Flight] = [:]
        /// The flight a new caller of each key joins. `removeAll` forgets these, so that callers
        /// after it load again while the earlier flights still answer their own callers.
        var joinable: [Key: Int] = [:]
        /// The flight each waiting caller joined.
        var waiterFlights: [Int: Int] = [:]
        /// Bumped by `removeAll`, so that a load begun before it is not kept after it.
        var generation = 0
        var nextId = 0
    }

    private let state = Mutex(State())
    private let ttl: Duration
    /// Bounds memory when clients send many unknown keys.
    private let capacity = 10_000

    init(ttl: Duration) { self.ttl = ttl }

    func value(_ key: Key, load: @escaping @Sendable () async throws -> Value?) async throws -> Value? {
        let now = ContinuousClock.now
        let (cached, waiter) = state.withLock { state -> (Entry?, Int) in
            state.nextId += 1
            return (state.entries[key].flatMap { $0.until > now ? $0 : nil }, state.nextId)
        }
        if let cached { return cached.value }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let answer = state.withLock { state -> Result<Value?, any Error>? in
                    // Checked under the lock: a cancellation after it finds the waiter registered.
                    if Task.isCancelled { return .failure(CancellationError()) }
                    // A load may have ended since the first look.
                    if let entry = state.entries[key], entry.until > ContinuousClock.now { return .success(entry.value) }
                    if let id = state.joinable[key], state.flights[id] != nil {
                        state.flights[id]?.waiters[waiter] = continuation
                        state.waiterFlights[waiter] = id
                        return nil
                    }
                    state.nextId += 1
                    let id = state.nextId
                    state.flights[id] = Flight(key: key, generation: state.generation, started: ContinuousClock.now, waiters: [waiter: continuation])
                    Task {
                        let result: Result<Value?, any Error>
                        do { result = .success(try await load()) } catch { result = .failure(error) }
                        self.finish(id, with: result)
                    }
                    state.joinable[key] = id
                    state.waiterFlights[waiter] = id
                    return nil
                }
                if let answer { continuation.resume(with: answer) }
            }
        } onCancel: {
            leave(waiter)
        }
    }

    /// Answers every caller still waiting for flight `id`, and keeps what it loaded (for `ttl` from
    /// when the load began) unless everything was forgotten meanwhile. A failed load is not kept,
    /// so the next caller loads again.
    private func finish(_ id: Int, with result: Result<Value?, any Error>) {
        let waiters = state.withLock { state -> [CheckedContinuation<Value?, any Error>] in
            guard let flight = state.flights.removeValue(forKey: id) else { return [] }
            if state.joinable[flight.key] == id { state.joinable[flight.key] = nil }
            for waiter in flight.waiters.keys { state.waiterFlights[waiter] = nil }
            if case .success(let value) = result, flight.generation == state.generation {
                if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
                state.entries[flight.key] = Entry(value: value, until: flight.started + ttl)
            }
            return Array(flight.waiters.values)
        }
        for waiter in waiters { waiter.resume(with: result) }
    }

    /// A cancelled caller stops waiting; its load goes on.
    private func leave(_ waiter: Int) {
        let continuation = state.withLock { state in
            state.waiterFlights.removeValue(forKey: waiter).flatMap { state.flights[$0]?.waiters.removeValue(forKey: waiter) }
        }
        continuation?.resume(throwing: CancellationError())
    }

    /// How many callers wait for a load of `key` (for tests).
    func waiting(for key: Key) -> Int {
        state.withLock { state in state.joinable[key].flatMap { state.flights[$0]?.waiters.count } ?? 0 }
    }

    /// Forgets everything: the next read loads again (after this node changed what is cached).
    func removeAll() {
        state.withLock { state in
            state.entries.removeAll()
            state.joinable.removeAll()
            state.generation += 1
        }
    }
}
