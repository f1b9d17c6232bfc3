import Foundation
import Testing
import ZhifuCore
import ZhifuProtocol
import ZhifuStore
import ZhifuStorePostgres
import ZhifuStoreSQLite

/// Credits kept as entries (migration v20): on PostgreSQL a posting locks only its debit account
/// and its credit becomes an entry, folded into the balance later; SQLite credits the row. Either
/// way every reader sees the same balance, and money is spent only once.
/// Serialized: some tests fold every account of the shared PostgreSQL database, and others count
/// their own entries.
@Suite(.serialized) struct CreditEntriesTests {
    /// The entries of `account` not yet folded into its row (always none on SQLite).
    func entries(of account: UserId, in store: any Store) async throws -> Int {
        let sql: SQL = "SELECT COUNT(*) AS n FROM account_credits WHERE user_id = \(account)"
        let count: Int?
        if let postgres = store as? PostgresStore {
            count = try await postgres.database.read { db in try await db.fetchValue(Int.self, sql) }
        } else {
            count = try await #require(store as? SQLiteStore).database.read { db in try await db.fetchValue(Int.self, sql) }
        }
        return try #require(count)
    }

    /// Folds until a pass finds fewer accounts than it may take (PostgreSQL; SQLite has no entries).
    func foldAll(_ store: any Store) async throws {
        guard let postgres = store as? PostgresStore else { return }
        while try await postgres.foldCredits(limit: 1_000) == 1_000 {}
    }

    @Test(arguments: StoreKind.available)
    func creditsNotYetFoldedAreReadInTheBalanceAndCanBeSpent(kind: StoreKind) async throws {
        let store = try await kind.make()
        let ids = Ids()
        try await makeAccount(store, ids.user(1), funded: 1_000, ids: ids)
        try await makeAccount(store, ids.user(2), ids: ids)
        #expect(try await entries(of: ids.user(1), in: store) == (kind == .postgres ? 1 : 0), "the funding is an entry on PostgreSQL")
        #expect(try await store.account(userId: ids.user(1))?.balance == Amount(fen: 1_000))
        #expect(try await store.account(logonId: "\(ids.user(1))@zhifu.test")?.balance == Amount(fen: 1_000))
        #expect(try await store.searchAccounts(prefix: ids.user(1).rawValue, limit: 1).first?.balance == Amount(fen: 1_000))

        // The row's own balance is 0 on PostgreSQL: spending all of it folds the entry first.
        #expect(try await store.post([ids.transfer(1, ids.user(1), ids.user(2), 1_000)]) == [.created])
        #expect(try await store.post([ids.transfer(2, ids.user(1), ids.user(2), 1)]) == [.exceedsBalance])
        #expect(try await entries(of: ids.user(1), in: store) == 0)
        #expect(try await store.post([ids.transfer(3, ids.user(2), ids.user(1), 400)]) == [.created])
        #expect(try await store.account(userId: ids.user(1))?.balance == Amount(fen: 400))
        #expect(try await store.account(userId: ids.user(2))?.balance == Amount(fen: 600))

        // Folding moves entries into rows and changes no balance.
        #expect(try await entries(of: ids.user(1), in: store) == (kind == .postgres ? 1 : 0))
        try await foldAll(store)
        #expect(try await entries(of: ids.user(1), in: store) == 0)
        #expect(try await store.account(userId: ids.user(1))?.balance == Amount(fen: 400))
        #expect(try await store.account(userId: ids.user(2))?.balance == Amount(fen: 600))
        #expect(try await store.audit().isBalanced)
        try await store.close()
    }

    /// The same transfer id posted at once from different accounts (a client's mistake): one is
    /// created, the others are told the id exists with another payload, and nothing else moves.
    /// On PostgreSQL the postings lock different rows, so they meet at the transfer's key.
    @Test(arguments: StoreKind.available)
    func oneIdPostedAtOnceFromDifferentAccountsIsCreatedOnce(kind: StoreKind) async throws {
        let store = try await kind.make()
        let ids = Ids()
        let payers = (1...4).map { ids.user($0) }, payee = ids.user(9)
        for payer in payers { try await makeAccount(store, payer, funded: 1_000, ids: ids) }
        try await makeAccount(store, payee, ids: ids)
        for round in 0..<10 {
            let answers = try await withThrowingTaskGroup(of: TransferResult.self) { group in
                for payer in payers { group.addTask { try await store.post([ids.transfer(round, payer, payee, 10)])[0] } }
                return try await group.reduce(into: [TransferResult]()) { $0.append($1) }
            }
            #expect(answers.filter { $0 == .created }.count == 1, "\(answers)")
            #expect(answers.filter { $0 == .existsWithDifferentPayload }.count == 3, "\(answers)")
        }
        #expect(try await store.account(userId: payee)?.balance == Amount(fen: 100))
        let paid = try await payers.asyncSum { try await store.account(userId: $0)?.balance.fen ?? -1 }
        #expect(paid == 4_000 - 100)
        #expect(try await store.audit().isBalanced)
        try await store.close()
    }

    /// A merchant paid by many buyers at once while it refunds some of them and the folder runs:
    /// the refunds spend only money that arrived, and every fen is where the transfers say.
    @Test(arguments: StoreKind.available)
    func paymentsRefundsAndFoldsOfOneAccountAtOnceKeepItExact(kind: StoreKind) async throws {
        let store = try await kind.make()
        let ids = Ids()
        let merchant = ids.user(0), buyers = (1...16).map { ids.user($0) }
        try await makeAccount(store, merchant, ids: ids)
        for buyer in buyers { try await makeAccount(store, buyer, funded: 1_000, ids: ids) }
        let payments = (0..<320).map { ids.transfer($0, buyers[$0 % buyers.count], merchant, 10) }
        let refunds = (0..<160).map { ids.transfer(1_000 + $0, merchant, buyers[$0 % buyers.count], 15) }
        enum Outcome: Sendable { case payment(TransferResult), refund(TransferResult), folded }
        let outcomes = try await withThrowingTaskGroup(of: Outcome.self) { group in
            for n in 0..<320 {
                group.addTask { .payment(try await store.post([payments[n]])[0]) }
                if n % 2 == 0 { group.addTask { .refund(try await store.post([refunds[n / 2]])[0]) } }
                if n % 32 == 0 { group.addTask { try await foldAll(store); return .folded } }
            }
            return try await group.reduce(into: [Outcome]()) { $0.append($1) }
        }
        var paid = 0, refunded = 0
        for outcome in outcomes {
            switch outcome {
            case .payment(let result): if result == .created { paid += 1 } else { Issue.record("payment: \(result)") }
            case .refund(let result): if result == .created { refunded += 1 } else { #expect(result == .exceedsBalance) }
            case .folded: break
            }
        }
        #expect(paid == 320, "every buyer had the money")
        #expect(try await store.account(userId: merchant)?.balance == Amount(fen: Int64(paid * 10 - refunded * 15)))
        let buyerSum = try await buyers.asyncSum { try await store.account(userId: $0)?.balance.fen ?? -1 }
        #expect(buyerSum == Int64(16 * 1_000 - paid * 10 + refunded * 15))
        try await foldAll(store)
        #expect(try await store.account(userId: merchant)?.balance == Amount(fen: Int64(paid * 10 - refunded * 15)))
        #expect(try await store.audit().isBalanced)
        try await store.close()
    }

    /// `CreditFolder`, which `zhifu serve` runs beside the PostgreSQL store: it takes every entry
    /// into its row and changes no balance. (SQLite keeps no entries and runs no folder.)
    @Test(.enabled(if: StoreKind.postgresURL != nil))
    func theFolderTakesEveryEntryAndChangesNoBalance() async throws {
        let store = try #require(try await StoreKind.postgres.make() as? PostgresStore)
        let ids = Ids()
        let accounts = (1...3).map { ids.user($0) }
        for (n, account) in accounts.enumerated() { try await makeAccount(store, account, funded: Int64(100 * (n + 1)), ids: ids) }
        for account in accounts { #expect(try await entries(of: account, in: store) == 1) }

        let folder = Task { try await CreditFolder(store: store, interval: .milliseconds(20)).run() }
        var left = 3
        for _ in 0..<250 where left > 0 {
            try await Task.sleep(for: .milliseconds(20))
            left = 0
            for account in accounts { left += try await entries(of: account, in: store) }
        }
        folder.cancel()
        try await folder.value
        #expect(left == 0, "the folder took every entry")
        for (n, account) in accounts.enumerated() {
            #expect(try await store.account(userId: account)?.balance == Amount(fen: Int64(100 * (n + 1))))
        }
        #expect(try await store.audit().isBalanced)
        try await store.close()
    }
}

extension Array {
    func asyncSum(_ value: (Element) async throws -> Int64) async rethrows -> Int64 {
        var sum: Int64 = 0
        for element in self { sum += try await value(element) }
        return sum
    }
}
