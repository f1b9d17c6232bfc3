import Logging
import ServiceLifecycle
import ZhifuStore

extension SQLStore where Database == PostgresDatabase {
    /// Folds the credits kept as entries (migration v20) of up to `limit` accounts whose rows no
    /// transaction holds, the oldest entries first; answers how many. Balances read the same before
    /// and after: it only keeps the entries a reader sums few.
    public func foldCredits(limit: Int) async throws -> Int {
        try await database.write { db in try await db.fetchValue(Int.self, "SELECT zhifu_fold_all_credits(\(limit))") } ?? 0
    }
}

/// Runs beside the PostgreSQL store on every node, as its connection pool does: a payment to a
/// merchant adds an entry and locks no row of the merchant's, and this folds the entries into the
/// rows once a second. Nodes do not wait for each other: the fold skips rows others hold.
public struct CreditFolder: Service {
    let store: PostgresStore
    let logger: Logger
    let interval: Duration

    public init(store: PostgresStore, logger: Logger = Logger(label: "zhifu.ledger"), interval: Duration = .seconds(1)) {
        self.store = store; self.logger = logger; self.interval = interval
    }

    /// Ends quietly when the service group shuts down (the sleep's cancellation is not an error).
    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    // Asleep first: the node migrates the schema (v20's functions) as it starts.
                    try await Task.sleep(for: interval)
                    do {
                        // Ten accounts per transaction, whose rows stay locked until it commits: a
                        // debit of one of them waits for ten folds at most. Until a pass folds fewer:
                        // the accounts left are held by other transactions, or have no entries.
                        while try await store.foldCredits(limit: 10) == 10 {}
                    } catch {
                        if Task.isCancelled { return }
                        logger.error("folding credits failed: \(error)")
                    }
                }
            }
        } catch is CancellationError {}
    }
}
