import Foundation
import Testing
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol
import ZhifuStore
import ZhifuStorePostgres
import ZhifuStoreSQLite

/// `LedgerFolder`, the service each node runs: on PostgreSQL the fixtures' opening balances are
/// credits kept as entries, and the folder moves them into the accounts' rows without changing a
/// balance. (SQLite credits rows directly: there is nothing to fold, and the same checks hold.)
@Suite struct LedgerFolderTests {
    @Test(arguments: WorldStore.available)
    func theFolderLeavesNothingToFoldAndNoBalanceChanged(store: WorldStore) async throws {
        let world = try await TestWorld.make(store: store)
        let accounts = [TestWorld.partner, TestWorld.buyer].compactMap(UserId.init)
        let before = try await accounts.asyncMap { try await world.gateway.store.account(userId: $0)?.balance }
        #expect(before == [Amount("100020.00"), Amount("480.00")], "opening balances, and the fixtures' paid trade of 20.00")

        #expect(try await creditEntries(world) > 0 || store == .sqlite, "PostgreSQL kept the opening balances as entries")
        let folder = Task { try await LedgerFolder(gateway: world.gateway, intervalMilliseconds: 20).run() }
        // Polled with a read that folds nothing: the audit sums rows and entries alike.
        var balancedWhileFolding = true
        for _ in 0..<25 {
            balancedWhileFolding = try await world.gateway.store.audit().isBalanced && balancedWhileFolding
            try await Task.sleep(for: .milliseconds(20))
        }
        folder.cancel()
        try await folder.value

        #expect(balancedWhileFolding)
        #expect(try await creditEntries(world) == 0, "the folder took every account's entries")
        #expect(try await accounts.asyncMap { try await world.gateway.store.account(userId: $0)?.balance } == before)
        #expect(try await world.gateway.store.audit().isBalanced)
    }

    /// Rows of `account_credits`, read past the store's API (always none on SQLite).
    func creditEntries(_ world: TestWorld) async throws -> Int {
        let sql: SQL = "SELECT COUNT(*) FROM account_credits"
        if let postgres = world.gateway.store as? PostgresStore {
            return try #require(try await postgres.database.read { db in try await db.fetchValue(Int.self, sql) })
        }
        let sqlite = try #require(world.gateway.store as? SQLiteStore)
        return try #require(try await sqlite.database.read { db in try await db.fetchValue(Int.self, sql) })
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
