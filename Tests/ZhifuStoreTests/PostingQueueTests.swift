import Foundation
import Synchronization
import Testing
import ZhifuCore
import ZhifuProtocol
@testable import ZhifuStore

/// Group commit: lone postings that arrive while statements are in flight share the next one, and
/// each still gets its own answer.
@Suite struct PostingQueueTests {
    func transfer(_ n: Int) -> Transfer {
        Transfer(id: "q-\(n)", debit: UserId("2088000000000002")!, credit: UserId("2088000000000003")!, amount: Amount(fen: Int64(n)),
                 code: .funding, reference: "q", createdAt: Date(timeIntervalSince1970: 0))
    }

    /// Answers by amount, so that each posting's answer is its own: odd amounts are refused.
    static func answer(_ transfer: Transfer) -> TransferResult { transfer.amount.fen % 2 == 0 ? .created : .exceedsBalance }

    @Test func postingsWaitingShareAStatementAndEachGetsItsOwnAnswer() async throws {
        let statements = Mutex<(count: Int, inFlight: Int, most: Int, sizes: [Int])>((0, 0, 0, []))
        let queue = PostingQueue(limit: 2) { transfers in
            statements.withLock { $0.count += 1; $0.inFlight += 1; $0.most = max($0.most, $0.inFlight); $0.sizes.append(transfers.count) }
            try await Task.sleep(for: .milliseconds(20))
            statements.withLock { $0.inFlight -= 1 }
            return transfers.map(Self.answer)
        }
        let answers = try await withThrowingTaskGroup(of: (Int, TransferResult).self) { group in
            for n in 1...40 { group.addTask { (n, try await queue.post(transfer(n))) } }
            return try await group.reduce(into: [Int: TransferResult]()) { $0[$1.0] = $1.1 }
        }
        #expect(answers.count == 40)
        #expect(answers.allSatisfy { $0.value == Self.answer(transfer($0.key)) })
        let seen = statements.withLock { $0 }
        #expect(seen.most <= 2, "never more than the limit in flight")
        #expect(seen.count < 40 && seen.sizes.max()! > 1, "postings that waited went together: \(seen.sizes)")
        #expect(seen.sizes.reduce(0, +) == 40)
    }

    @Test func aSharedStatementThatFailsIsPostedAgainOneByOne() async throws {
        struct Lost: Error {}
        let calls = Mutex<[Int]>([])
        let queue = PostingQueue(limit: 1) { transfers in
            calls.withLock { $0.append(transfers.count) }
            try await Task.sleep(for: .milliseconds(10))
            // A shared statement is lost (a deadlock, a dropped connection); posting 13 alone fails too.
            if transfers.count > 1 { throw Lost() }
            if transfers[0].id == "q-13" { throw Lost() }
            return transfers.map(Self.answer)
        }
        let answers = await withTaskGroup(of: (Int, Result<TransferResult, any Error>).self) { group in
            for n in 1...20 {
                group.addTask {
                    do { return (n, .success(try await queue.post(transfer(n)))) } catch { return (n, .failure(error)) }
                }
            }
            return await group.reduce(into: [Int: Result<TransferResult, any Error>]()) { $0[$1.0] = $1.1 }
        }
        #expect(calls.withLock { $0.contains { $0 > 1 } }, "some postings were shared")
        for n in 1...20 {
            switch answers[n] {
            case .success(let result): #expect(n != 13 && result == Self.answer(transfer(n)))
            case .failure(let error): #expect(n == 13 && error is Lost)
            case nil: Issue.record("posting \(n) got no answer")
            }
        }
    }

    @Test func aLeaderWhoseRequestIsCancelledStillPostsTheOthers() async throws {
        let queue = PostingQueue(limit: 1) { transfers in
            // A cancelled statement fails, as postgres-nio's query does.
            try await Task.sleep(for: .milliseconds(200))
            return transfers.map(Self.answer)
        }
        // Posting 2 holds the slot; posting 3 waits first, so it leads 4…9 in the next statement.
        let blocker = Task { try await queue.post(transfer(2)) }
        try await Task.sleep(for: .milliseconds(30))
        let leader = Task { try await queue.post(transfer(3)) }
        try await Task.sleep(for: .milliseconds(30))
        let followers = (4...9).map { n in Task { try await queue.post(transfer(n)) } }
        _ = try await blocker.value
        try await Task.sleep(for: .milliseconds(50))
        leader.cancel()  // while the statement it leads is running
        for (n, follower) in zip(4...9, followers) {
            #expect(try await follower.value == Self.answer(transfer(n)), "posting \(n) is not failed by another request's cancellation")
        }
        _ = try? await leader.value
    }

    @Test func aStatementThatAnswersTooFewPostingsFailsThemInsteadOfLeavingThemWaiting() async throws {
        let queue = PostingQueue(limit: 1) { transfers in
            try await Task.sleep(for: .milliseconds(10))
            return Array(transfers.map(Self.answer).dropLast())
        }
        let failures = await withTaskGroup(of: Bool.self) { group in
            for n in 1...10 { group.addTask { (try? await queue.post(transfer(n))) == nil } }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(failures == 10)
    }
}
