import Foundation
import Testing
import ZhifuCore
import ZhifuProtocol

@Suite struct PasswordAttemptTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let lockUntil = now.addingTimeInterval(3 * 3_600)

    func wrong(_ store: any Store, _ id: UserId, at now: Date = Self.now) async throws -> (failedAttempts: Int, blocked: Bool) {
        try await store.recordWrongPassword(userId: id, blockAt: 5, now: now, lockUntil: now.addingTimeInterval(3 * 3_600))
    }

    /// Each wrong password is counted by one statement: fifty at once count to fifty, each sees a
    /// different count, and the fifth blocks the account.
    @Test(arguments: StoreKind.available)
    func parallelWrongPasswordsAreEachCounted(kind: StoreKind) async throws {
        let store = try await kind.make()
        let ids = Ids()
        try await makeAccount(store, ids.user(1), ids: ids)
        let results = try await withThrowingTaskGroup(of: (failedAttempts: Int, blocked: Bool).self) { group in
            for _ in 1...50 { group.addTask { try await wrong(store, ids.user(1)) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.map(\.failedAttempts).sorted() == Array(1...50))
        #expect(results.filter { !$0.blocked }.map(\.failedAttempts).sorted() == [1, 2, 3, 4])
        let account = try #require(try await store.account(userId: ids.user(1)))
        #expect(account.status == .blocked && account.failedPasswordAttempts == 50 && account.lockedUntil == Self.lockUntil)
        try await store.close()
    }

    @Test(arguments: StoreKind.available)
    func aRightPasswordNeverUnblocks(kind: StoreKind) async throws {
        let store = try await kind.make()
        let ids = Ids()
        try await makeAccount(store, ids.user(1), ids: ids)
        for _ in 1...4 { _ = try await wrong(store, ids.user(1)) }
        #expect(try await store.recordRightPassword(userId: ids.user(1), now: Self.now) == false)
        #expect(try await store.account(userId: ids.user(1))?.failedPasswordAttempts == 0, "a right password resets the count")
        for _ in 1...5 { _ = try await wrong(store, ids.user(1)) }
        #expect(try await store.recordRightPassword(userId: ids.user(1), now: Self.now) == true)
        #expect(try await store.account(userId: ids.user(1))?.status == .blocked)
        try await store.setAccountStatus(userId: ids.user(1), .normal)
        let unblocked = try await store.account(userId: ids.user(1))
        #expect(unblocked?.status == .normal && unblocked?.failedPasswordAttempts == 0, "an operator's unblock clears the count")
        await #expect(throws: StoreError.notFound("account \(ids.user(9))")) {
            try await wrong(store, ids.user(9))
        }
        try await store.close()
    }

    /// A block by wrong passwords ends at `lockedUntil`: then a right password opens the account, and a
    /// wrong one starts a new count. An operator's block has no end.
    @Test(arguments: StoreKind.available)
    func aPasswordLockEndsAndAnOperatorsBlockDoesNot(kind: StoreKind) async throws {
        let store = try await kind.make()
        let ids = Ids()
        try await makeAccount(store, ids.user(1), ids: ids)
        try await makeAccount(store, ids.user(2), ids: ids)
        for _ in 1...5 { _ = try await wrong(store, ids.user(1)) }
        let later = Self.lockUntil.addingTimeInterval(1)
        #expect(try await store.account(userId: ids.user(1))?.isBlocked(at: Self.lockUntil.addingTimeInterval(-1)) == true)
        #expect(try await store.account(userId: ids.user(1))?.isBlocked(at: later) == false)
        let afresh = try await wrong(store, ids.user(1), at: later)
        #expect(afresh.failedAttempts == 1 && !afresh.blocked, "the count starts again after the lock")
        #expect(try await store.recordRightPassword(userId: ids.user(1), now: later) == false)
        let open = try #require(try await store.account(userId: ids.user(1)))
        #expect(open.status == .normal && open.lockedUntil == nil && open.failedPasswordAttempts == 0)

        try await store.setAccountStatus(userId: ids.user(2), .blocked)
        #expect(try await store.recordRightPassword(userId: ids.user(2), now: later.addingTimeInterval(86_400 * 365)) == true)
        #expect(try await wrong(store, ids.user(2), at: later.addingTimeInterval(86_400 * 365)).blocked)
        try await store.close()
    }
}
