import Logging
import ServiceLifecycle
import ZhifuCore

/// Closes unpaid trades past their timeout_express and finishes trades past the refund period,
/// on the gateway clock, so that merchants are notified without asking. Requests apply the same
/// rules to the trade they touch, so nothing depends on this running on time.
public struct TradeClock: Service {
    let gateway: Gateway
    let logger: Logger
    let intervalMilliseconds: Int64

    public init(gateway: Gateway, logger: Logger = Logger(label: "zhifu.trades"), intervalMilliseconds: Int64 = 1_000) {
        self.gateway = gateway; self.logger = logger; self.intervalMilliseconds = intervalMilliseconds
    }

    /// Ends quietly when the service group shuts down (the sleep's cancellation is not an error).
    public func run() async throws {
        do {
            try await sweepUntilShutdown()
        } catch is CancellationError {}
    }

    private func sweepUntilShutdown() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await gateway.followSandboxClock()
                    while try await gateway.trades.sweep() > 0 {}
                    // Once per tick: files waiting for money stay due until it comes.
                    _ = try await gateway.bptb.sweep()
                } catch {
                    logger.error("sweeping trades failed: \(error)")
                }
                try await Task.sleep(for: .milliseconds(intervalMilliseconds))
            }
        }
    }
}
