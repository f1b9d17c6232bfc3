import Synchronization

/// What a node read of rarely changing configuration (apps, merchants), kept for a short time so
/// that a payment does not read them from the store every time. A change (fixtures at start, a key
/// rotated) reaches every node within `ttl`.
///
/// One load per key at a time: callers that find the entry missing or expired while it is being
/// loaded wait for that load. Without this, every request in flight when an entry expired read the
/// store at once (under load, tens of reads of the fault rules each second instead of one).
final class ConfigCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry {
        var value: Value?
        var until: ContinuousClock.Instant
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var loading: [Key: Task<Value?, any Error>] = [:]
        /// Bumped by `removeAll`, so that a load begun before it is not kept after it.
        var generation = 0
    }

    private let state = Mutex(State())
    private let ttl: Duration
    /// Bounds memory when clients send many unknown keys.
    private let capacity = 10_000

    init(ttl: Duration) { self.ttl = ttl }

    private enum Lookup {
        case cached(Value?)
        case loading(Task<Value?, any Error>, generation: Int)
    }

    func value(_ key: Key, load: @escaping @Sendable () async throws -> Value?) async throws -> Value? {
        let now = ContinuousClock.now
        let lookup: Lookup = state.withLock { state in
            if let entry = state.entries[key], entry.until > now { return .cached(entry.value) }
            let task = state.loading[key] ?? Task { try await load() }
            state.loading[key] = task
            return .loading(task, generation: state.generation)
        }
        switch lookup {
        case .cached(let value):
            return value
        case .loading(let task, let generation):
            do {
                let value = try await task.value
                keep(value, for: key, from: task, generation: generation)
                return value
            } catch {
                keep(nil, for: key, from: task, generation: nil)
                throw error
            }
        }
    }

    /// Stores what `task` loaded (once, by whichever waiter gets here first) unless everything was
    /// forgotten meanwhile; a failed load (`generation` nil) is only cleared, so the next caller
    /// loads again.
    private func keep(_ value: Value?, for key: Key, from task: Task<Value?, any Error>, generation: Int?) {
        state.withLock { state in
            guard state.loading[key] == task else { return }
            state.loading[key] = nil
            guard let generation, generation == state.generation else { return }
            if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[key] = Entry(value: value, until: ContinuousClock.now + ttl)
        }
    }

    /// Forgets everything: the next read loads again (after this node changed what is cached).
    func removeAll() {
        state.withLock { state in
            state.entries.removeAll()
            state.loading.removeAll()
            state.generation += 1
        }
    }
}
