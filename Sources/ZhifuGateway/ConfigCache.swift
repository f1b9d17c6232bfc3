import Synchronization

/// What a node read of rarely changing configuration (apps, merchants), kept for a short time so
/// that a payment does not read them from the store every time. A change (fixtures at start, a key
/// rotated) reaches every node within `ttl`.
final class ConfigCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let entries = Mutex<[Key: (value: Value?, until: ContinuousClock.Instant)]>([:])
    private let ttl: Duration
    /// Bounds memory when clients send many unknown keys.
    private let capacity = 10_000

    init(ttl: Duration) { self.ttl = ttl }

    func value(_ key: Key, load: () async throws -> Value?) async throws -> Value? {
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[key] }), entry.until > now { return entry.value }
        let value = try await load()
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = (value, now + ttl)
        }
        return value
    }

    /// Forgets everything: the next read loads again (after this node changed what is cached).
    func removeAll() {
        entries.withLock { $0.removeAll() }
    }
}
