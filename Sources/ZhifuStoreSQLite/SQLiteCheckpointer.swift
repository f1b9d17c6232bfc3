import Dispatch
import GRDB
import NIOConcurrencyHelpers

/// Checkpoints the WAL on a connection and a thread of its own. SQLite's automatic checkpoint runs
/// inside the COMMIT that crosses 1000 pages: that commit, and every write queued behind it, waits
/// while pages are copied into the database file and it is fsynced. Those were the slowest
/// payments (issue 17: p99 at half the maximum rate 13.1–14.9 ms with it, 7.2–11.0 ms without).
/// Here the writer only appends to the WAL, and a PASSIVE checkpoint, which never waits for
/// readers or writers, runs beside it after every `interval` units of work committed. The writer starts the WAL
/// again from its beginning once a checkpoint has copied all of it.
final class SQLiteCheckpointer: Sendable {
    private struct State {
        var commits = 0
        var running = false
        /// After `close()`: a write finishing meanwhile starts no checkpoint on the closed connection.
        var closed = false
    }

    private let connection: DatabaseQueue
    private let queue = DispatchQueue(label: "zhifu.sqlite.checkpoint")
    private let state = NIOLockedValueBox(State())
    private let interval: Int

    init(path: String, configuration: Configuration, interval: Int) throws {
        connection = try DatabaseQueue(path: path, configuration: configuration)
        self.interval = interval
    }

    /// Counts a commit of `units` units of work (``SharedCommit``); starts a checkpoint once
    /// `interval` units were committed since the last one started, unless one is still running.
    func committed(units: Int = 1) {
        let start = state.withLockedValue { state in
            state.commits += units
            guard state.commits >= interval, !state.running, !state.closed else { return false }
            state.commits = 0
            state.running = true
            return true
        }
        guard start else { return }
        queue.async {
            // A checkpoint that fails leaves the frames in the WAL, where they are durable already;
            // the next one copies them.
            _ = try? self.connection.writeWithoutTransaction { try $0.checkpoint(.passive) }
            self.state.withLockedValue { $0.running = false }
        }
    }

    /// Waits for a running checkpoint, then closes the connection.
    func close() throws {
        state.withLockedValue { $0.closed = true }
        queue.sync {}
        try connection.close()
    }
}
