import Logging
import ServiceLifecycle
import ZhifuCore

/// Folds the credits PostgreSQL keeps as entries (a payment to a merchant locks no row of the
/// merchant's) into the accounts' balances, so that reading a balance sums few entries. Balances
/// read the same whether it has run or not; each node may run it, as it skips rows others hold.
public struct LedgerFolder: Service {
    let gateway: Gateway
    let logger: Logger
    let intervalMilliseconds: Int64

    public init(gateway: Gateway, logger: Logger = Logger(label: "zhifu.ledger"), intervalMilliseconds: Int64 = 1_000) {
        self.gateway = gateway; self.logger = logger; self.intervalMilliseconds = intervalMilliseconds
    }

    /// Ends quietly when the service group shuts down (the sleep's cancellation is not an error).
    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    do {
                        // Ten accounts per transaction, whose rows stay locked until it commits: a
                        // debit of one of them waits for ten folds at most. Until a pass folds fewer:
                        // the accounts left are held by other transactions, or have no entries.
                        while try await gateway.store.foldCredits(limit: 10) == 10 {}
                    } catch {
                        if Task.isCancelled { return }
                        logger.error("folding credits failed: \(error)")
                    }
                    try await Task.sleep(for: .milliseconds(intervalMilliseconds))
                }
            }
        } catch is CancellationError {}
    }
}
