import Foundation
import Testing
import ZhifuCore
import ZhifuProtocol
@testable import ZhifuStore
import ZhifuStorePostgres

@Suite struct OutboxConformanceTests {
    func makeBatch(_ store: any Store, _ ids: Ids, records: Int64 = 3) async throws -> Batch {
        try await makeAccount(store, ids.user(1), funded: 1_000, ids: ids)
        try await makeAccount(store, ids.user(2), ids: ids)
        try await store.upsertMerchant(Merchant(partner: ids.user(1), md5Key: nil, rsaPublicKey: nil, dsaPublicKey: nil, services: ["*"]))
        let details = (1...records).map { BatchRecord(detail: BatchTransDetail(serialNo: "s\($0)", payeeAccount: "p", payeeName: "名", amount: Amount(fen: 400), remark: "")) }
        return Batch(id: "b\(ids.run)", partner: ids.user(1), batchNo: "20240101\(ids.run)", fingerprint: "f", payer: ids.user(1), accountName: "n",
                     batchFee: Amount(fen: 400 * records), payDate: "20240101", notifyURL: "http://127.0.0.1:9/n", signType: .md5, charset: .gbk,
                     extendParam: nil, status: .waitConfirm, token: "t\(ids.run)", createdAt: Date(timeIntervalSince1970: 1_700_000_000), details: details)
    }

    @Test(arguments: StoreKind.available)
    func batchesAreStoredOnceAndCompletedOnceWithTheirNotification(kind: StoreKind) async throws {
        let store = try await kind.make()
        let ids = Ids()
        let batch = try await makeBatch(store, ids)
        #expect(try await store.insertBatch(batch) == nil)
        #expect(try await store.insertBatch(batch) == batch, "the same (partner, batch_no) returns the stored batch")
        #expect(try await store.batch(id: batch.id) == batch)
        #expect(try await store.batch(partner: ids.user(1), batchNo: batch.batchNo) == batch)
        let now = Date(timeIntervalSince1970: 1_700_000_100)
        let plans: [BatchRecordPlan] = [
            .pay(Transfer(id: "\(batch.id)0000", debit: ids.user(1), credit: ids.user(2), amount: Amount(fen: 400), code: .batchTrans, reference: batch.id, createdAt: now)),
            .fail(reason: "RECEIVE_USER_NOT_EXIST", innerNo: "\(batch.id)0001"),
            .pay(Transfer(id: "\(batch.id)0002", debit: ids.user(1), credit: ids.user(2), amount: Amount(fen: 700), code: .batchTrans, reference: batch.id, createdAt: now)),
        ]
        let notifyId = "n\(ids.run)"
        let notification: @Sendable ([BatchRecordOutcome]) -> OutboxNotification? = { records in
            OutboxNotification(notifyId: notifyId, partner: ids.user(1), notifyURL: "http://127.0.0.1:9/n", notifyType: "batch_trans_notify",
                               protocol: .mapi, signType: .md5, charset: .gbk,
                               parameters: Parameters([("results", records.map(\.status.rawValue).joined())]), nextAttemptAt: now, createdAt: now)
        }
        let outcome: @Sendable (TransferResult) -> String? = { $0.isPosted ? nil : "TXN_RESULT_ACCOUNT_BALANCE_NOT_ENOUGH" }
        #expect(try await store.completeBatch(id: batch.id, plans: plans, finishedAt: now, outcome: outcome, notification: notification) == nil,
                "a batch waiting for its password is not paid")
        #expect(try await store.markBatchProcessing(id: batch.id))
        #expect(try await store.markBatchProcessing(id: batch.id) == false)
        #expect(try await store.batchIds(status: .processing).contains(batch.id))
        let outcomes = try #require(try await store.completeBatch(id: batch.id, plans: plans, finishedAt: now, outcome: outcome, notification: notification))
        #expect(outcomes.map(\.status) == [.success, .failure, .failure])
        #expect(try await store.completeBatch(id: batch.id, plans: plans, finishedAt: now, outcome: outcome, notification: notification) == nil)
        let completed = try #require(try await store.batch(id: batch.id))
        #expect(completed.status == .completed)
        #expect(completed.details.map(\.status) == [.success, .failure, .failure])
        #expect(completed.details.map(\.reason) == [nil, "RECEIVE_USER_NOT_EXIST", "TXN_RESULT_ACCOUNT_BALANCE_NOT_ENOUGH"])
        #expect(completed.details.map(\.innerNo) == ["\(batch.id)0000", "\(batch.id)0001", "\(batch.id)0002"])
        #expect(try await store.account(userId: ids.user(2))?.balance == Amount(fen: 400))
        #expect(try await store.transfers(reference: batch.id).count == 1)
        let stored = try #require(try await store.notification(notifyId: notifyId))
        #expect(stored.parameters["results"] == "SFF" && stored.charset == .gbk && stored.status == .pending)
        #expect(try await store.audit().isBalanced)
        try await store.close()
    }

    @Test(arguments: StoreKind.available)
    func claimedNotificationsAreLeasedAndAttemptsMoveTheirState(kind: StoreKind) async throws {
        let store = try await kind.make()
        let ids = Ids()
        let batch = try await makeBatch(store, ids, records: 1)
        _ = try await store.insertBatch(batch)
        _ = try await store.markBatchProcessing(id: batch.id)
        let start = Date(timeIntervalSince1970: 1_800_000_000 + Double(Int.random(in: 0..<1_000_000)))
        let notifyId = "n\(ids.run)"
        _ = try await store.completeBatch(id: batch.id, plans: [.fail(reason: "X", innerNo: "\(batch.id)0000")], finishedAt: start, outcome: { _ in nil }) { _ in
            OutboxNotification(notifyId: notifyId, partner: ids.user(1), notifyURL: "http://x/", notifyType: "t", protocol: .mapi, signType: .md5,
                               charset: .utf8, parameters: Parameters([("a", "毛毛")]), nextAttemptAt: start, createdAt: start)
        }
        let claimed = try await store.claimDueNotifications(now: start, limit: 1000, leaseSeconds: 60)
        #expect(claimed.contains { $0.notifyId == notifyId && $0.parameters["a"] == "毛毛" })
        #expect(try await store.claimDueNotifications(now: start.addingTimeInterval(59), limit: 1000, leaseSeconds: 60).contains { $0.notifyId == notifyId } == false,
                "leased for 60 s")
        try await store.recordNotificationAttempt(NotificationAttempt(notifyId: notifyId, attemptedAt: start, httpStatus: 500, bodyPrefix: "oops",
                                                                      latencyMilliseconds: 3, error: nil, acknowledged: false),
                                                  triesBefore: 0, nextAttemptAt: start.addingTimeInterval(120))
        var stored = try #require(try await store.notification(notifyId: notifyId))
        #expect(stored.attempts == 1 && stored.status == .pending && stored.nextAttemptAt == start.addingTimeInterval(120))
        try await store.recordNotificationAttempt(NotificationAttempt(notifyId: notifyId, attemptedAt: start.addingTimeInterval(120), httpStatus: 200,
                                                                      bodyPrefix: "success", latencyMilliseconds: 2, error: nil, acknowledged: true),
                                                  triesBefore: 1, nextAttemptAt: nil)
        stored = try #require(try await store.notification(notifyId: notifyId))
        #expect(stored.attempts == 2 && stored.status == .acknowledged)
        let attempts = try await store.notificationAttempts(notifyId: notifyId)
        #expect(attempts.map(\.httpStatus) == [500, 200] && attempts.map(\.acknowledged) == [false, true] && attempts[0].bodyPrefix == "oops")
        #expect(try await store.claimDueNotifications(now: start.addingTimeInterval(100_000), limit: 1000, leaseSeconds: 60).contains { $0.notifyId == notifyId } == false)
        try await store.close()
    }

    /// A manual clock that jumps past a lease lets a second worker try while the first is still
    /// recording: the late failure is history, and neither spends a retry nor pulls the next try back.
    @Test(arguments: StoreKind.available)
    func aLateFailedTryDoesNotMoveTheScheduleAgain(kind: StoreKind) async throws {
        let store = try await kind.make()
        let ids = Ids()
        // Past the other tests' claims (see below), which would lease the row and move `next_attempt_at`.
        let start = Date(timeIntervalSince1970: 5_000_000_000 + Double(Int.random(in: 0..<1_000_000)))
        let notifyId = "late\(ids.run)"
        try await store.insertNotifications([OutboxNotification(notifyId: notifyId, partner: ids.user(1), notifyURL: "http://x/", notifyType: "t",
                                                                protocol: .openapi, signType: .rsa2, charset: .utf8, parameters: Parameters([("a", "1")]),
                                                                nextAttemptAt: start, createdAt: start)])
        func failed(at time: Date) -> NotificationAttempt {
            NotificationAttempt(notifyId: notifyId, attemptedAt: time, httpStatus: 500, bodyPrefix: "down", latencyMilliseconds: 1, error: nil, acknowledged: false)
        }
        // Worker B's try (claimed after the jump, at 0 tries) is recorded first; A's, claimed at 0 too, arrives late.
        try await store.recordNotificationAttempt(failed(at: start.addingTimeInterval(600)), triesBefore: 0, nextAttemptAt: start.addingTimeInterval(840))
        try await store.recordNotificationAttempt(failed(at: start), triesBefore: 0, nextAttemptAt: start.addingTimeInterval(240))
        var stored = try #require(try await store.notification(notifyId: notifyId))
        #expect(stored.attempts == 1 && stored.nextAttemptAt == start.addingTimeInterval(840) && stored.status == .pending)
        #expect(try await store.notificationAttempts(notifyId: notifyId).count == 2, "both tries are in the history")
        // A late try that was acknowledged still ends the notification: the merchant has it.
        let acknowledged = NotificationAttempt(notifyId: notifyId, attemptedAt: start, httpStatus: 200, bodyPrefix: "success",
                                               latencyMilliseconds: 1, error: nil, acknowledged: true)
        try await store.recordNotificationAttempt(acknowledged, triesBefore: 0, nextAttemptAt: nil)
        stored = try #require(try await store.notification(notifyId: notifyId))
        #expect(stored.status == .acknowledged && stored.attempts == 2)
        try await store.close()
    }

    /// A round's tries are recorded together, and each notification ends as if they had been
    /// recorded one at a time: a notification tried twice in the round counts both tries, and a
    /// late try is history only.
    @Test(arguments: StoreKind.available)
    func triesRecordedTogetherLeaveTheStateOfOneAtATime(kind: StoreKind) async throws {
        let store = try await kind.make()
        let ids = Ids()
        // Far past the other tests' times: their claims (up to a day after 1_800_000_000 + 10⁶ s) on a
        // shared database would lease these rows and move `next_attempt_at`.
        let start = Date(timeIntervalSince1970: 4_000_000_000 + Double(Int.random(in: 0..<1_000_000)))
        let (acknowledged, retried, twice, exhausted, late) = ("ack\(ids.run)", "retry\(ids.run)", "twice\(ids.run)", "end\(ids.run)", "late\(ids.run)")
        try await store.insertNotifications([acknowledged, retried, twice, exhausted, late].map {
            OutboxNotification(notifyId: $0, partner: ids.user(1), notifyURL: "http://x/", notifyType: "t", protocol: .mapi, signType: .md5,
                               charset: .utf8, parameters: Parameters([("a", "1")]), nextAttemptAt: start, createdAt: start)
        })
        // A refused connection has no status: NULL beside values in one multi-row insert.
        func attempt(_ notifyId: String, at seconds: Double, acknowledged: Bool) -> NotificationAttempt {
            NotificationAttempt(notifyId: notifyId, attemptedAt: start.addingTimeInterval(seconds), httpStatus: acknowledged ? 200 : (notifyId == exhausted ? nil : 500),
                                bodyPrefix: acknowledged ? "success" : "down", latencyMilliseconds: 1,
                                error: notifyId == exhausted ? "connection refused" : nil, acknowledged: acknowledged)
        }
        try await store.recordNotificationAttempt(attempt(late, at: 0, acknowledged: false), triesBefore: 0, nextAttemptAt: start.addingTimeInterval(240))
        try await store.recordNotificationAttempts([
            NotificationOutcome(attempt: attempt(acknowledged, at: 1, acknowledged: true), triesBefore: 0, nextAttemptAt: nil),
            NotificationOutcome(attempt: attempt(retried, at: 1, acknowledged: false), triesBefore: 0, nextAttemptAt: start.addingTimeInterval(120)),
            NotificationOutcome(attempt: attempt(twice, at: 1, acknowledged: false), triesBefore: 0, nextAttemptAt: start.addingTimeInterval(60)),
            NotificationOutcome(attempt: attempt(exhausted, at: 1, acknowledged: false), triesBefore: 0, nextAttemptAt: nil),
            NotificationOutcome(attempt: attempt(late, at: 1, acknowledged: false), triesBefore: 0, nextAttemptAt: start.addingTimeInterval(999)),
            NotificationOutcome(attempt: attempt(twice, at: 61, acknowledged: false), triesBefore: 1, nextAttemptAt: start.addingTimeInterval(300)),
        ])
        func state(_ notifyId: String) async throws -> (OutboxNotification.Status, Int, Date, Int) {
            let stored = try #require(try await store.notification(notifyId: notifyId))
            return (stored.status, stored.attempts, stored.nextAttemptAt, try await store.notificationAttempts(notifyId: notifyId).count)
        }
        #expect(try await state(acknowledged) == (.acknowledged, 1, start, 1))
        #expect(try await state(retried) == (.pending, 1, start.addingTimeInterval(120), 1))
        #expect(try await state(twice) == (.pending, 2, start.addingTimeInterval(300), 2), "both tries count, the later last")
        #expect(try await state(exhausted) == (.exhausted, 1, start, 1))
        #expect(try await store.notificationAttempts(notifyId: exhausted).map { [$0.httpStatus == nil, $0.error == "connection refused"] } == [[true, true]])
        #expect(try await state(late) == (.pending, 1, start.addingTimeInterval(240), 2), "the late try is history only")
        try await store.close()
    }

    /// Per run, two statements on SQLite and one on PostgreSQL: a notification met again starts a
    /// run, and so does a full one.
    @Test(arguments: [false, true])
    func triesAreRecordedInOneOrTwoStatementsPerRun(writesInWith: Bool) {
        func outcome(_ notifyId: String) -> NotificationOutcome {
            NotificationOutcome(attempt: NotificationAttempt(notifyId: notifyId, attemptedAt: Date(), httpStatus: nil, bodyPrefix: "", latencyMilliseconds: 1,
                                                             error: "refused", acknowledged: false), triesBefore: 0, nextAttemptAt: Date())
        }
        let perRun = writesInWith ? 1 : 2
        #expect(PostgresStore.attemptStatements([], writesInWith: writesInWith).isEmpty)
        #expect(PostgresStore.attemptStatements((0..<64).map { outcome("n\($0)") }, writesInWith: writesInWith).count == perRun)
        #expect(PostgresStore.attemptStatements(["a", "b", "a", "c", "c"].map(outcome), writesInWith: writesInWith).count == 3 * perRun)
        let many = PostgresStore.attemptStatements((0..<1_001).map { outcome("n\($0)") }, writesInWith: writesInWith)
        #expect(many.count == 3 * perRun && many.allSatisfy { $0.bindings.count <= 12 * PostgresStore.attemptsPerStatement })
    }
}
