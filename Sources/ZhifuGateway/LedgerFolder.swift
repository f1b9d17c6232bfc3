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
                        // Until a pass finds fewer than it may take: the rest are held by others or done.
                        while try await gateway.store.foldCredits(limit: 100) == 100 {}
                    } catch {
                        logger.error("folding credits failed: \(error)")
                    }
                    try await Task.sleep(for: .milliseconds(intervalMilliseconds))
                }
            }
        } catch is CancellationError {}
    }
}
