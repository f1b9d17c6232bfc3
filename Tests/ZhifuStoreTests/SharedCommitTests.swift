import Foundation
import GRDB
import NIOConcurrencyHelpers
import Testing
import ZhifuStore
@testable import ZhifuStoreSQLite

/// SQLite's writes that wait together share one COMMIT (``SharedCommit``), and each stays all or
/// nothing: a unit that throws leaves the others' work, and a COMMIT that fails takes every unit
/// with it. No caller hears of its work before the COMMIT that holds it.
@Suite struct SharedCommitTests {
    struct Refused: Error, Equatable { var n: Int }

    /// Counts the transactions a database commits.
    final class Commits: TransactionObserver, @unchecked Sendable {
        private let count = NIOLockedValueBox(0)
        var value: Int { count.withLockedValue { $0 } }
        func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }
        func databaseDidChange(with event: DatabaseEvent) {}
        func databaseDidCommit(_ db: Database) { count.withLockedValue { $0 += 1 } }
        func databaseDidRollback(_ db: Database) {}
    }

    /// Inserts `n`; throws after inserting when `refused`.
    func unit(_ n: Int, refused: Bool = false, answers: NIOLockedValueBox<[Int: (any Error)?]>) -> SharedCommit.Unit {
        SharedCommit.Unit(run: { db in
            try db.execute(sql: "INSERT INTO t (n) VALUES (?)", arguments: [n])
            if refused { throw Refused(n: n) }
        }, answer: { failure in answers.withLockedValue { $0[n] = failure } })
    }

    func rows(_ queue: DatabaseQueue) throws -> [Int] {
        try queue.read { try Int.fetchAll($0, sql: "SELECT n FROM t ORDER BY n") }
    }

    @Test func unitsWaitingTogetherCommitOnceAndOneThatThrowsLeavesTheOthers() throws {
        let queue = try DatabaseQueue()
        try queue.write { try $0.execute(sql: "CREATE TABLE t (n INTEGER PRIMARY KEY)") }
        let commits = Commits()
        queue.add(transactionObserver: commits, extent: .databaseLifetime)
        let answers = NIOLockedValueBox<[Int: (any Error)?]>([:])
        let waiting = SharedCommit.Waiting(SharedCommit.Queue(units: [unit(1, answers: answers), unit(2, refused: true, answers: answers), unit(3, answers: answers)]))
        queue.writeWithoutTransaction { SharedCommit.commitWaiting(waiting, on: $0, checkpointer: nil) }

        #expect(commits.value == 1, "three units, one COMMIT")
        #expect(try rows(queue) == [1, 3], "the unit that threw rolled back to its savepoint only")
        let answered = answers.withLockedValue { $0 }
        #expect(answered.count == 3)
        #expect(answered[1]! == nil && answered[3]! == nil)
        #expect(answered[2]! as? Refused == Refused(n: 2))
        #expect(waiting.withLockedValue { $0.units.isEmpty && !$0.turnScheduled }, "the turn took every waiting unit")
    }

    /// Each unit is answered only once the COMMIT holding its work has returned.
    @Test func noUnitIsAnsweredBeforeItsCommit() throws {
        let queue = try DatabaseQueue()
        try queue.write { try $0.execute(sql: "CREATE TABLE t (n INTEGER PRIMARY KEY)") }
        let commits = Commits()
        queue.add(transactionObserver: commits, extent: .databaseLifetime)
        let seen = NIOLockedValueBox<[Int]>([])
        let units = (1...3).map { (n: Int) -> SharedCommit.Unit in
            SharedCommit.Unit(run: { db in try db.execute(sql: "INSERT INTO t (n) VALUES (?)", arguments: [n]) },
                              answer: { _ in seen.withLockedValue { $0.append(commits.value) } })
        }
        let waiting = SharedCommit.Waiting(SharedCommit.Queue(units: units))
        queue.writeWithoutTransaction { SharedCommit.commitWaiting(waiting, on: $0, checkpointer: nil) }
        #expect(seen.withLockedValue { $0 } == [1, 1, 1], "the commits counted when each unit was answered")
    }

    /// A unit that ends the whole transaction (here a raw ROLLBACK; in life a full disk) takes the
    /// turn with it: nothing stays, every unit is answered with an error, and the units after it do
    /// not run.
    @Test func aUnitThatEndsTheTransactionFailsTheWholeTurn() throws {
        let queue = try DatabaseQueue()
        try queue.write { try $0.execute(sql: "CREATE TABLE t (n INTEGER PRIMARY KEY)") }
        let answers = NIOLockedValueBox<[Int: (any Error)?]>([:])
        let ran = NIOLockedValueBox<[Int]>([])
        let breaker = SharedCommit.Unit(run: { db in try db.execute(sql: "ROLLBACK") }, answer: { failure in answers.withLockedValue { $0[2] = failure } })
        let last = SharedCommit.Unit(run: { _ in ran.withLockedValue { $0.append(3) } }, answer: { failure in answers.withLockedValue { $0[3] = failure } })
        let waiting = SharedCommit.Waiting(SharedCommit.Queue(units: [unit(1, answers: answers), breaker, last]))
        queue.writeWithoutTransaction { SharedCommit.commitWaiting(waiting, on: $0, checkpointer: nil) }
        #expect(try rows(queue).isEmpty)
        #expect(ran.withLockedValue { $0 }.isEmpty, "the unit after it did not run")
        let answered = answers.withLockedValue { $0 }
        #expect(answered.count == 3)
        for n in 1...3 { #expect(answered[n]! != nil, "unit \(n) was told it failed") }
    }

    /// A unit alone is its own transaction: it commits, or it throws and leaves nothing.
    @Test func aUnitAloneCommitsOrRollsBackAsItsOwnTransaction() throws {
        let queue = try DatabaseQueue()
        try queue.write { try $0.execute(sql: "CREATE TABLE t (n INTEGER PRIMARY KEY)") }
        let answers = NIOLockedValueBox<[Int: (any Error)?]>([:])
        for unit in [unit(1, answers: answers), unit(2, refused: true, answers: answers)] {
            let waiting = SharedCommit.Waiting(SharedCommit.Queue(units: [unit]))
            queue.writeWithoutTransaction { SharedCommit.commitWaiting(waiting, on: $0, checkpointer: nil) }
        }
        #expect(try rows(queue) == [1])
        let answered = answers.withLockedValue { $0 }
        #expect(answered[1]! == nil)
        #expect(answered[2]! as? Refused == Refused(n: 2))
    }

    /// The COMMIT is refused (a deferred foreign key checked only then): every unit is answered
    /// with that failure, and none of their rows stays.
    @Test func aCommitThatFailsAnswersEveryUnitWithItsFailure() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE parent (id INTEGER PRIMARY KEY)")
            try db.execute(sql: "CREATE TABLE t (n INTEGER PRIMARY KEY, parent INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)")
        }
        let answers = NIOLockedValueBox<[Int: (any Error)?]>([:])
        let orphan = SharedCommit.Unit(run: { db in
            try db.execute(sql: "INSERT INTO t (n, parent) VALUES (9, 42)")
        }, answer: { failure in answers.withLockedValue { $0[9] = failure } })
        let waiting = SharedCommit.Waiting(SharedCommit.Queue(units: [unit(1, answers: answers), orphan, unit(3, answers: answers)]))
        queue.writeWithoutTransaction { SharedCommit.commitWaiting(waiting, on: $0, checkpointer: nil) }

        #expect(try rows(queue).isEmpty)
        let answered = answers.withLockedValue { $0 }
        #expect(answered.count == 3)
        for n in [1, 9, 3] {
            #expect((answered[n]! as? DatabaseError)?.resultCode == .SQLITE_CONSTRAINT, "unit \(n): \(String(describing: answered[n]))")
        }
    }

    /// Through the store's database, on a file (a pool, as `zhifu serve` opens it): 200 writes at
    /// once, every other one throwing after its insert. Each caller gets its own outcome.
    @Test(.timeLimit(.minutes(1))) func manyWritesAtOnceEachKeepTheirOwnOutcome() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("shared-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let database = try SQLiteDatabase(path: path)
        try await database.migrate(Migrations.all)
        let outcomes = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
            for n in 0..<200 {
                group.addTask {
                    do {
                        let answer = try await database.write { db in
                            try await db.execute("INSERT INTO settings (name, value) VALUES (\("shared.\(n)"), \("v"))")
                            if n % 2 == 1 { throw Refused(n: n) }
                            return n
                        }
                        return (answer, true)
                    } catch let refused as Refused {
                        return (refused.n, false)
                    }
                }
            }
            return try await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
        #expect(outcomes.count == 200)
        #expect(outcomes.allSatisfy { $0.value == ($0.key % 2 == 0) })
        let stored = try await database.read { db in
            try await db.fetchAll("SELECT name FROM settings WHERE name LIKE 'shared.%'").map { row -> String in try row["name"] }
        }
        #expect(Set(stored) == Set((0..<200).filter { $0 % 2 == 0 }.map { "shared.\($0)" }))
        try await database.close()
    }
}
