#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// Sandbox fault injection: `ZHIFU_FAULT=<point>=<n>` kills the process with SIGKILL the n-th time
/// the named point is reached, so crash recovery can be tested at an exact instant (the crash test
/// dies after the 500th record of a 1000-record batch, inside its transaction). Off unless set.
public enum FaultInjection {
    /// Reached once per record posted inside a batch's transaction.
    public static let batchTransRecord = "batch_trans.record"
    /// Reached once per notification a node has claimed (leased), before it is delivered.
    public static let notificationClaimed = "notifier.claimed"
    /// Reached once per record of a refund batch, after its refund is committed.
    public static let batchRefundRecord = "batch_refund.record"

    static let armed: (point: String, count: Int)? = {
        guard let spec = ProcessInfo.processInfo.environment["ZHIFU_FAULT"] else { return nil }
        let parts = spec.split(separator: "=")
        guard parts.count == 2, let count = Int(parts[1]), count > 0 else { return nil }
        return (String(parts[0]), count)
    }()

    static let hits = Mutex(0)

    public static func reached(_ point: String) {
        guard let armed, armed.point == point else { return }
        let count = hits.withLock { hits in
            hits += 1
            return hits
        }
        if count == armed.count { kill(getpid(), SIGKILL) }
    }
}
