import GRDB
import NIOConcurrencyHelpers

/// Group commit for SQLite's one writer. With `synchronous = FULL` every COMMIT waits for the WAL
/// to reach the disk, and the writer commits one transaction at a time: the fsync, not the SQL,
/// bounds how many units of work commit each second. The units that arrive while the writer is
/// busy wait, and the next turn of the writer runs all of them in one transaction, each in a
/// savepoint of its own, and commits once.
///
/// Each unit is still all or nothing: one that throws rolls back to its savepoint and leaves the
/// others' work alone. No caller is answered before the COMMIT that holds its work has returned;
/// if that COMMIT fails, every unit in it is answered with the failure and none of them happened.
/// A unit once queued runs even if its caller's task is cancelled meanwhile: it may already share a
/// transaction with others, and the caller is answered with what it did.
enum SharedCommit {
    /// One caller's unit of work.
    struct Unit: Sendable {
        /// The unit's statements; it keeps its own result for `answer`.
        let run: @Sendable (Database) throws -> Void
        /// Answers the caller once the transaction is over: `nil` when its work committed, the
        /// unit's own error when it threw (its savepoint rolled back), or why the transaction failed.
        let answer: @Sendable ((any Error)?) -> Void
    }

    /// The units waiting, and whether a turn of the writer is already scheduled to take them.
    struct Queue {
        var units: [Unit] = []
        var turnScheduled = false
    }

    typealias Waiting = NIOLockedValueBox<Queue>

    /// Adds a unit; says whether the caller must schedule a turn (none is scheduled yet).
    static func enqueue(_ unit: Unit, in waiting: Waiting) -> Bool {
        waiting.withLockedValue { queue in
            queue.units.append(unit)
            defer { queue.turnScheduled = true }
            return !queue.turnScheduled
        }
    }

    /// One turn of the writer: every unit waiting now, in the order they arrived, in one
    /// transaction. A unit alone needs no savepoint: the transaction is its own.
    static func commitWaiting(_ waiting: Waiting, on db: Database, checkpointer: SQLiteCheckpointer?) {
        let units = waiting.withLockedValue { queue in
            defer { queue = Queue() }
            return queue.units
        }
        guard !units.isEmpty else { return }
        var failures = [(any Error)?](repeating: nil, count: units.count)
        // A unit's error that ended the whole transaction (SQLITE_FULL, an I/O error): what every
        // unit of the turn is answered with, rather than the failed COMMIT it leads to.
        var cause: (any Error)?
        do {
            try db.inTransaction(.immediate) {
                if units.count == 1 {
                    try units[0].run(db)
                    return .commit
                }
                for (index, unit) in units.enumerated() {
                    do {
                        try db.inSavepoint {
                            try unit.run(db)
                            return .commit
                        }
                    } catch {
                        failures[index] = error
                        if !db.isInsideTransaction {
                            cause = error
                            break
                        }
                    }
                }
                return .commit
            }
        } catch {
            for unit in units { unit.answer(cause ?? error) }
            return
        }
        checkpointer?.committed(units: units.count)
        for (unit, failure) in zip(units, failures) { unit.answer(failure) }
    }
}
