import Foundation
import Synchronization
import Testing
import ZhifuCore
import ZhifuProtocol
import ZhifuStorePostgres
import ZhifuStoreSQLite

/// The stores the conformance suite runs against. PostgreSQL comes from `ZHIFU_TEST_DATABASE_URL`,
/// which `scripts/test` sets after starting a throwaway cluster.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }

    static var postgresURL: String? { ProcessInfo.processInfo.environment["ZHIFU_TEST_DATABASE_URL"] }
    static var available: [StoreKind] { postgresURL == nil ? [.sqlite] : allCases }

    /// A PostgreSQL store whose pool runs for the rest of the test process, as a service group would run it.
    static func runningPostgresStore() throws -> PostgresStore {
        let postgres = try PostgresStore(url: postgresURL!)
        Task { try await postgres.database.run() }
        return postgres
    }

    static let postgresMigrated = Task<Void, any Error> { try await runningPostgresStore().migrate() }

    func make() async throws -> any Store {
        let store: any Store
        switch self {
        case .sqlite:
            store = try SQLiteStore(path: nil)
            try await store.migrate()
        case .postgres:
            // The tests share one database: it is migrated once, not by every test at the same time
            // (each migration waits on one advisory lock, behind the others' commits).
            try await Self.postgresMigrated.value
            store = try Self.runningPostgresStore()
        }
        _ = try await store.insertAccount(SystemAccounts.clearingAccount)
        return store
    }
}

/// Fresh user ids for each test, so tests can share one PostgreSQL database: a counter makes them
/// unique within the test process (two random prefixes once met, and two tests inserted the same
/// account at once), its random start unlikely to meet another run's on a reused database.
struct Ids {
    private static let next = Mutex(Int.random(in: 100_000..<900_000))
    let prefix = "2088" + String(format: "%06d", Ids.next.withLock { value in
        value += 1
        return value
    })
    func user(_ n: Int) -> UserId { UserId(prefix + String(format: "%06d", n))! }
    let run = SecureRandom.alphanumeric(10)
    func transfer(_ n: Int) -> String { "t-\(run)-\(n)" }
    /// A funding-coded transfer `n` between two of this test's accounts.
    func transfer(_ n: Int, _ debit: UserId, _ credit: UserId, _ fen: Int64) -> Transfer {
        Transfer(id: transfer(n), debit: debit, credit: credit, amount: Amount(fen: fen), code: .funding, reference: "r", createdAt: Date())
    }
}

func makeAccount(_ store: any Store, _ id: UserId, funded: Int64 = 0, ids: Ids) async throws {
    #expect(try await store.insertAccount(Account(userId: id, logonId: "\(id)@zhifu.test", name: "用户\(id.rawValue.suffix(2))", passwordHash: nil)))
    if funded > 0 {
        let result = try await store.post([Transfer(id: "fund-\(ids.run)-\(id)", debit: SystemAccounts.clearing, credit: id,
                                                    amount: Amount(fen: funded), code: .funding, reference: "test", createdAt: Date())])
        #expect(result == [.created])
    }
}

@Suite struct StoreConformanceTests {
    @Test(arguments: StoreKind.available)
    func accountsAreFoundByUserIdAndLogonId(kind: StoreKind) async throws {
        let store = try await kind.make()
        let ids = Ids()
        let account = Account(userId: ids.user(1), logonId: "\(ids.run)@zhifu.test", name: "张三", passwordHash: PaymentPassword.hash("123456", iterations: 1000))
        #expect(try await store.insertAccount(account))
        #expect(try await store.insertAccount(account) == false, "the same user id twice is not an error, and not a second row")
        #expect(try await store.account(userId: ids.user(1)) == account)
        #expect(try await store.account(logonId: account.logonId) == account)
        #expect(try await store.account(userId: ids.user(2)) == nil)
        #expect(try await store.searchAccounts(prefix: ids.run, limit: 10).map(\.userId) == [ids.user(1)], "by logon id prefix")
        #expect(try await store.searchAccounts(prefix: ids.user(1).rawValue, limit: 10).count == 1, "by user id")
        #expect(try await store.searchAccounts(prefix: "%", limit: 10).isEmpty, "LIKE's wildcards are taken literally")
        var other = account
        other.userId = ids.user(2)
        await #expect(throws: StoreError.self) { try await store.insertAccount(other) }

        // The same new account inserted at once, as by nodes seeding one database: one insert, no error.
        for n in 4..<24 {
            let same = Account(userId: ids.user(n), logonId: "\(ids.run)-\(n)@zhifu.test", name: "李四", passwordHash: nil)
            let inserted = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 { group.addTask { try await store.insertAccount(same) } }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(inserted.filter { $0 }.count == 1)
        }
        try await store.setAccountStatus(userId: ids.user(1), .blocked)
        let blocked = try await store.account(userId: ids.user(1))
        #expect(blocked?.status == .blocked && blocked?.failedPasswordAttempts == 0)
        await #expect(throws: StoreError.notFound("account \(ids.user(3))")) {
            try await store.setAccountStatus(userId: ids.user(3), .normal)
        }
        try await store.close()
    }

    @Test(arguments: StoreKind.available)
    func transfersMoveMoneyExactlyOnce(kind: StoreKind) async throws {
        let store = try await kind.make()
        let ids = Ids()
        try await makeAccount(store, ids.user(1), funded: 10_000, ids: ids)
        try await makeAccount(store, ids.user(2), ids: ids)
        let transfer = Transfer(id: ids.transfer(1), debit: ids.user(1), credit: ids.user(2), amount: Amount(fen: 2_500),
                                code: .batchTrans, reference: "batch-\(ids.run)", createdAt: Date())
        #expect(try await store.post([transfer]) == [.created])
        #expect(try await store.post([transfer]) == [.exists])
        var changed = transfer
        changed.amount = Amount(fen: 2_600)
        #expect(try await store.post([changed]) == [.existsWithDifferentPayload])
        #expect(try await store.account(userId: ids.user(1))?.balance == Amount(fen: 7_500))
        #expect(try await store.account(userId: ids.user(2))?.balance == Amount(fen: 2_500))
        #expect(try await store.transfer(id: ids.transfer(1))?.samePayload(as: transfer) == true)
        #expect(try await store.transfers(reference: "batch-\(ids.run)").count == 1)
        #expect(try await store.audit().isBalanced)
        try await store.close()
    }

    @Test(arguments: StoreKind.available)
    func refusedTransfersChangeNothingAndReportInPrecedenceOrder(kind: StoreKind) async throws {
        let store = try await kind.make()
        let ids = Ids()
        try await makeAccount(store, ids.user(1), funded: 1_000, ids: ids)
        try await makeAccount(store, ids.user(2), ids: ids)
        let results = try await store.post([
            ids.transfer(1, ids.user(1), ids.user(2), 1_001),
            ids.transfer(2, ids.user(1), ids.user(1), 1),
            ids.transfer(3, ids.user(1), ids.user(2), 0),
            ids.transfer(4, ids.user(9), ids.user(2), 1),
            ids.transfer(5, ids.user(1), ids.user(9), 1),
            ids.transfer(6, ids.user(1), ids.user(2), 1_000),
            ids.transfer(7, ids.user(1), ids.user(2), 1),
            ids.transfer(8, ids.user(1), ids.user(2), -5),
            Transfer(id: "", debit: ids.user(1), credit: ids.user(2), amount: Amount(fen: 1), code: .funding, reference: "r", createdAt: Date()),
            ids.transfer(10, ids.user(1), ids.user(2), Transfer.maximumAmount.fen + 1),
        ])
        #expect(results == [.exceedsBalance, .accountsMustBeDifferent, .amountMustBePositive, .debitAccountNotFound,
                            .creditAccountNotFound, .created, .exceedsBalance, .amountMustBePositive, .idMustBeValid, .amountExceedsLimit])
        #expect(try await store.account(userId: ids.user(1))?.balance == .zero)
        #expect(try await store.account(userId: ids.user(2))?.balance == Amount(fen: 1_000))
        #expect(try await store.transfer(id: ids.transfer(1)) == nil)
        #expect(try await store.audit().isBalanced)
        try await store.close()
    }

    /// On PostgreSQL, lone postings that arrive together share a statement (``PostingQueue``): each
    /// still gets the answer it would get alone, and a refusal among them stops none of the others.
    @Test(arguments: StoreKind.available)
    func lonePostingsSentTogetherEachGetTheirOwnAnswer(kind: StoreKind) async throws {
        let store = try await kind.make()
        let ids = Ids()
        try await makeAccount(store, ids.user(1), funded: 10_000, ids: ids)
        try await makeAccount(store, ids.user(2), ids: ids)
        try await makeAccount(store, ids.user(3), funded: 5, ids: ids)
        let earlier = ids.transfer(0, ids.user(1), ids.user(2), 7)
        #expect(try await store.post([earlier]) == [.created])
        var changed = earlier
        changed.amount = Amount(fen: 8)
        var cases: [(Transfer, TransferResult)] = [(earlier, .exists), (changed, .existsWithDifferentPayload)]
        cases += (1...30).map { (ids.transfer($0, ids.user(1), ids.user(2), 100), .created) }
        cases += [(ids.transfer(31, ids.user(3), ids.user(2), 6), .exceedsBalance), (ids.transfer(32, ids.user(1), ids.user(1), 1), .accountsMustBeDifferent),
                  (ids.transfer(33, ids.user(1), ids.user(2), 0), .amountMustBePositive), (ids.transfer(34, ids.user(9), ids.user(2), 1), .debitAccountNotFound),
                  (ids.transfer(35, ids.user(1), ids.user(9), 1), .creditAccountNotFound),
                  (ids.transfer(36, ids.user(1), ids.user(2), Transfer.maximumAmount.fen + 1), .amountExceedsLimit)]
        let answers = try await withThrowingTaskGroup(of: (String, TransferResult).self) { group in
            for (transfer, _) in cases { group.addTask { (transfer.id + "/\(transfer.amount.fen)", try await store.post([transfer])[0]) } }
            return try await group.reduce(into: [String: TransferResult]()) { $0[$1.0] = $1.1 }
        }
        for (transfer, expected) in cases {
            #expect(answers[transfer.id + "/\(transfer.amount.fen)"] == expected, "\(transfer.id) \(transfer.amount)")
        }
        #expect(try await store.account(userId: ids.user(2))?.balance == Amount(fen: 3_007))
        #expect(try await store.audit().isBalanced)
        try await store.close()
    }

    @Test(arguments: StoreKind.available)
    func concurrentTransfersNeverOverdrawAndConserveMoney(kind: StoreKind) async throws {
        let store = try await kind.make()
        let ids = Ids()
        try await makeAccount(store, ids.user(1), funded: 100, ids: ids)
        try await makeAccount(store, ids.user(2), funded: 100, ids: ids)
        // 200 concurrent transfers of 1 fen each way, plus the same ids posted twice.
        let outcomes = try await withThrowingTaskGroup(of: TransferResult.self) { group in
            for n in 0..<400 {
                let forward = n % 2 == 0
                let transfer = Transfer(id: ids.transfer(n % 300), debit: forward ? ids.user(1) : ids.user(2), credit: forward ? ids.user(2) : ids.user(1),
                                        amount: Amount(fen: 1), code: .funding, reference: "r", createdAt: Date(timeIntervalSince1970: 0))
                group.addTask { try await store.post([transfer])[0] }
            }
            return try await group.reduce(into: [TransferResult]()) { $0.append($1) }
        }
        #expect(outcomes.allSatisfy { [.created, .exists, .existsWithDifferentPayload, .exceedsBalance].contains($0) })
        let created = outcomes.filter { $0 == .created }.count
        #expect(created <= 300)
        let one = try #require(try await store.account(userId: ids.user(1))).balance.fen
        let two = try #require(try await store.account(userId: ids.user(2))).balance.fen
        #expect(one + two == 200)
        #expect(one >= 0 && two >= 0)
        #expect(try await store.audit().isBalanced)
        try await store.close()
    }

    @Test(arguments: StoreKind.available)
    func merchantsAppsTradesAndSettingsRoundTrip(kind: StoreKind) async throws {
        let store = try await kind.make()
        let ids = Ids()
        try await makeAccount(store, ids.user(1), ids: ids)
        let merchant = Merchant(partner: ids.user(1), md5Key: SecureRandom.alphanumeric(32), rsaPublicKey: "rsa", dsaPublicKey: nil, services: ["batch_trans_notify", "notify_verify"])
        try await store.upsertMerchant(merchant)
        #expect(try await store.merchant(partner: ids.user(1)) == merchant)
        var rotated = merchant
        rotated.md5Key = SecureRandom.alphanumeric(32)
        try await store.upsertMerchant(rotated)
        #expect(try await store.merchant(partner: ids.user(1))?.md5Key == rotated.md5Key)
        #expect(try await store.merchant(partner: ids.user(2)) == nil)

        let app = App(appId: "app\(ids.run)", partner: ids.user(1), publicKey: "key", signType: .rsa2)
        try await store.upsertApp(app)
        #expect(try await store.app(appId: app.appId) == app)

        let trade = Trade(tradeNo: "trade\(ids.run)", partner: ids.user(1), buyer: nil, outTradeNo: "o1", amount: Amount(fen: 100),
                          status: .waitBuyerPay, createdAt: Date(timeIntervalSince1970: 1_700_000_000))
        #expect(try await store.insertTrade(trade))
        #expect(try await store.insertTrade(trade) == false)
        #expect(try await store.trade(tradeNo: trade.tradeNo) == trade)
        #expect(try await store.trade(partner: ids.user(1), outTradeNo: "o1") == trade)
        // A refused transfer undoes the whole change.
        let refund = Transfer(id: ids.transfer(1), debit: ids.user(1), credit: SystemAccounts.clearing, amount: Amount(fen: 1),
                              code: .tradeRefund, reference: trade.tradeNo, createdAt: Date())
        var closed = trade
        closed.status = .tradeClosed
        #expect(try await store.updateTrade(TradeUpdate(trade: closed, transfers: [refund])) == .refused(.exceedsBalance))
        #expect(try await store.trade(tradeNo: trade.tradeNo) == trade)
        #expect(try await store.updateTrade(TradeUpdate(trade: closed)) == .changed)
        // The same version again lost the race: nothing is written twice.
        #expect(try await store.updateTrade(TradeUpdate(trade: closed)) == .stale)
        let stored = try await store.trade(tradeNo: trade.tradeNo)
        #expect(stored?.status == .tradeClosed)
        #expect(stored?.version == 1)
        // Inserting through an update: a taken out_trade_no is stale, a new trade is stored with version 1.
        var twin = trade
        twin.tradeNo = "twin\(ids.run)"
        #expect(try await store.updateTrade(TradeUpdate(trade: twin, isNew: true)) == .stale)
        #expect(try await store.insertTrade(twin) == false, "(partner, out_trade_no) is unique")
        twin.outTradeNo = "o-twin"
        #expect(try await store.updateTrade(TradeUpdate(trade: twin, isNew: true)) == .changed)
        #expect(try await store.trade(tradeNo: twin.tradeNo)?.version == 1)
        try await store.close()
    }

    @Test(arguments: StoreKind.available)
    func tradeUpdatesCommitRefundsPaymentCodesAndNotificationsTogether(kind: StoreKind) async throws {
        let store = try await kind.make()
        let ids = Ids()
        _ = try await store.insertAccount(SystemAccounts.clearingAccount)
        try await makeAccount(store, ids.user(1), ids: ids)
        try await makeAccount(store, ids.user(2), funded: 1_000, ids: ids)
        try await store.upsertMerchant(Merchant(partner: ids.user(1), md5Key: nil, rsaPublicKey: nil, dsaPublicKey: nil, services: []))
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        var details = TradeDetails()
        details.notifyURL = "http://127.0.0.1:1/notify"
        let trade = Trade(tradeNo: "paid\(ids.run)", partner: ids.user(1), buyer: nil, outTradeNo: "o2", amount: Amount(fen: 600),
                          status: .waitBuyerPay, createdAt: now, expiresAt: now.addingTimeInterval(60), details: details)
        #expect(try await store.insertTrade(trade))
        #expect(try await store.trade(tradeNo: trade.tradeNo) == trade)
        #expect(try await store.expiredTradeNos(now: now.addingTimeInterval(59), limit: 10).contains(trade.tradeNo) == false)
        #expect(try await store.expiredTradeNos(now: now.addingTimeInterval(60), limit: 10).contains(trade.tradeNo))

        let code = PaymentCode(code: "28\(ids.run)".padding(toLength: 18, withPad: "0", startingAt: 0), buyer: ids.user(2), expiresAt: now.addingTimeInterval(60))
        try await store.insertPaymentCode(code)
        #expect(try await store.paymentCode(code.code) == code)
        let withBuyer = try await store.paymentCodeWithBuyer(code.code)
        let buyer = try await store.account(userId: ids.user(2))
        #expect(withBuyer?.code == code && withBuyer?.buyer == buyer, "the code and its buyer in one read")
        #expect(try await store.paymentCodeWithBuyer("28" + String(repeating: "9", count: 16)) == nil)
        var paid = trade
        paid.status = .tradeSuccess
        paid.buyer = ids.user(2)
        paid.details.paidAt = now
        let pay = Transfer(id: ids.transfer(2), debit: ids.user(2), credit: ids.user(1), amount: Amount(fen: 600), code: .tradePay,
                           reference: trade.tradeNo, createdAt: now)
        let notification = OutboxNotification(notifyId: "n\(ids.run)", partner: ids.user(1), notifyURL: "http://127.0.0.1:1/notify",
                                              notifyType: "trade_status_sync", protocol: .openapi, signType: .rsa2, charset: .utf8,
                                              parameters: Parameters([("trade_status", "TRADE_SUCCESS")]), nextAttemptAt: now, createdAt: now)
        // An expired code refuses the whole payment.
        #expect(try await store.updateTrade(TradeUpdate(trade: paid, transfers: [pay], paymentCode: (code.code, now.addingTimeInterval(60)),
                                                        notifications: [notification])) == .paymentCodeUnusable)
        #expect(try await store.account(userId: ids.user(2))?.balance == Amount(fen: 1_000))
        #expect(try await store.notification(notifyId: notification.notifyId) == nil)
        #expect(try await store.updateTrade(TradeUpdate(trade: paid, transfers: [pay], paymentCode: (code.code, now),
                                                        notifications: [notification])) == .changed)
        #expect(try await store.paymentCode(code.code)?.usedAt == now)
        #expect(try await store.notification(notifyId: notification.notifyId)?.notifyType == "trade_status_sync")
        #expect(try await store.account(userId: ids.user(1))?.balance == Amount(fen: 600))

        var refunded = try #require(try await store.trade(tradeNo: trade.tradeNo))
        #expect(refunded.version == 1 && refunded.buyer == ids.user(2) && refunded.details.paidAt == now)
        refunded.details.refundedFen = 100
        let refund = TradeRefund(tradeNo: trade.tradeNo, outRequestNo: "r1", amount: Amount(fen: 100), reason: "破损", createdAt: now)
        let back = Transfer(id: ids.transfer(3), debit: ids.user(1), credit: ids.user(2), amount: Amount(fen: 100), code: .tradeRefund,
                            reference: trade.tradeNo, createdAt: now)
        #expect(try await store.updateTrade(TradeUpdate(trade: refunded, transfers: [back], refund: refund)) == .changed)
        #expect(try await store.refund(tradeNo: trade.tradeNo, outRequestNo: "r1") == refund)
        #expect(try await store.refund(tradeNo: trade.tradeNo, outRequestNo: "r2") == nil)
        #expect(try await store.tradeNos(status: .tradeSuccess, createdBefore: now, limit: 1_000).contains(trade.tradeNo))
        #expect(try await store.audit().isBalanced)

        let token = AppAuthToken(token: "tok\(ids.run)", appId: "isv\(ids.run)", partner: ids.user(1))
        try await store.upsertAppAuthToken(token)
        #expect(try await store.appAuthToken(token.token) == token)
        #expect(try await store.appAuthToken("none\(ids.run)") == nil)
        let name = "test.\(ids.run)"
        #expect(try await store.setting(name) == nil)
        #expect(try await store.setSettingIfAbsent(name, value: "a") == "a")
        #expect(try await store.setSettingIfAbsent(name, value: "b") == "a")
        try await store.setSetting(name, value: "c")
        #expect(try await store.setting(name) == "c")
        try await store.close()
    }

    @Test(arguments: StoreKind.available)
    func migratingTwiceIsHarmless(kind: StoreKind) async throws {
        let store = try await kind.make()
        try await store.migrate()
        #expect(try await store.audit().isBalanced)
        try await store.close()
    }
}

@Suite struct SQLiteFileTests {
    @Test func committedTransfersSurviveReopening() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("zhifu-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let ids = Ids()
        do {
            let store = try SQLiteStore(path: path)
            try await store.migrate()
            _ = try await store.insertAccount(SystemAccounts.clearingAccount)
            try await makeAccount(store, ids.user(1), funded: 4_200, ids: ids)
            try await store.close()
        }
        let reopened = try SQLiteStore(path: path)
        try await reopened.migrate()
        #expect(try await reopened.account(userId: ids.user(1))?.balance == Amount(fen: 4_200))
        #expect(try await reopened.audit() == LedgerAudit(accounts: 2, transfers: 1, balanceSum: 0, negativeUserAccounts: 0, mismatchedAccounts: 0))
        try await reopened.close()
    }

    /// The WAL is copied into the database file by the checkpointer's own connection while the
    /// writer goes on (the writer's automatic checkpoint is off), and nothing committed is lost.
    @Test func theWALIsCheckpointedBesideTheWriter() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("zhifu-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        func fileSize() throws -> Int { try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0 }
        let ids = Ids()
        let store = SQLiteStore(database: try SQLiteDatabase(path: path, checkpointInterval: 16))
        try await store.migrate()
        let migrated = try fileSize()
        for n in 1...200 { try await makeAccount(store, ids.user(n), ids: ids) }
        var grown = false
        for _ in 0..<100 where !grown {
            grown = try fileSize() > migrated
            if !grown { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(grown, "the database file grows while the store is open: pages were checkpointed into it")
        try await store.close()
        let reopened = try SQLiteStore(path: path)
        #expect(try await reopened.account(userId: ids.user(200)) != nil)
        try await reopened.close()
    }
}
