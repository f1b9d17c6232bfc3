import Synchronization
import ZhifuCore

/// Group commit for lone postings on a database across the network (PostgreSQL). While `limit`
/// statements are in flight, the postings that arrive wait, and the first of them to get a turn
/// posts them all in one statement: one round trip and one commit shared by concurrent requests.
///
/// That is safe because postings are independent and idempotent: each gets its own
/// ``TransferResult`` (a refusal aborts nothing), and when a shared statement fails (a deadlock, a
/// lost connection) every posting in it is posted again on its own, where an id that did commit
/// answers `exists`.
final class PostingQueue: Sendable {
    /// What a waiting posting is told when it wakes: its result, or that it leads the next statement.
    private enum Turn {
        case posted(Result<TransferResult, any Error>)
        case lead(followers: [Waiter])
    }

    private struct Waiter {
        var transfer: Transfer
        var continuation: CheckedContinuation<Turn, Never>
    }

    private struct State {
        var waiting: [Waiter] = []
        var inFlight = 0
    }

    private let state = Mutex(State())
    private let limit: Int
    private let batchLimit: Int
    /// Posts transfers in one statement, results in order.
    private let postTogether: @Sendable ([Transfer]) async throws -> [TransferResult]

    init(limit: Int, batchLimit: Int = 64, postTogether: @escaping @Sendable ([Transfer]) async throws -> [TransferResult]) {
        self.limit = limit; self.batchLimit = batchLimit; self.postTogether = postTogether
    }

    func post(_ transfer: Transfer) async throws -> TransferResult {
        let turn = await withCheckedContinuation { (continuation: CheckedContinuation<Turn, Never>) in
            // A free slot and the decision to wait are taken under one lock, so no wake-up is lost.
            let leads = state.withLock { state in
                if state.inFlight < limit {
                    state.inFlight += 1
                    return true
                }
                state.waiting.append(Waiter(transfer: transfer, continuation: continuation))
                return false
            }
            if leads { continuation.resume(returning: .lead(followers: [])) }
        }
        switch turn {
        case .posted(let result):
            return try result.get()
        case .lead(let followers):
            let results = await postShared([transfer] + followers.map(\.transfer))
            handOver()
            for (follower, result) in zip(followers, results.dropFirst()) { follower.continuation.resume(returning: .posted(result)) }
            return try results[0].get()
        }
    }

    /// One statement for all; if it fails, one statement each. The statement runs in a task of its
    /// own: the leader's request being cancelled (its client gone) must not fail the others'.
    private func postShared(_ transfers: [Transfer]) async -> [Result<TransferResult, any Error>] {
        await Task { await self.postEach(transfers) }.value
    }

    private func postEach(_ transfers: [Transfer]) async -> [Result<TransferResult, any Error>] {
        do {
            return try await postCounted(transfers).map { .success($0) }
        } catch {
            guard transfers.count > 1 else { return [.failure(error)] }
            var results: [Result<TransferResult, any Error>] = []
            for transfer in transfers {
                do { results.append(.success(try await postCounted([transfer])[0])) } catch { results.append(.failure(error)) }
            }
            return results
        }
    }

    /// Every posting must get its answer, or a follower would wait for ever.
    private func postCounted(_ transfers: [Transfer]) async throws -> [TransferResult] {
        let results = try await postTogether(transfers)
        guard results.count == transfers.count else {
            throw StoreError.database("\(results.count) answers for \(transfers.count) postings")
        }
        return results
    }

    /// Gives the slot to the first posting waiting, with those behind it, or frees it.
    private func handOver() {
        let next: [Waiter] = state.withLock { state in
            let taken = Array(state.waiting.prefix(batchLimit))
            state.waiting.removeFirst(taken.count)
            if taken.isEmpty { state.inFlight -= 1 }
            return taken
        }
        guard let leader = next.first else { return }
        leader.continuation.resume(returning: .lead(followers: Array(next.dropFirst())))
    }
}
