import Foundation
import Testing
import ZhifuCore
import ZhifuProtocol

@Suite struct PasswordAttemptTests {
    /// Each wrong password is counted by one statement: fifty at once count to fifty, each sees a
    /// different count, and the fifth blocks the account.
    @Test(arguments: StoreKind.available)
    func parallelWrongPasswordsAreEachCounted(kind: StoreKind) async throws {
        let store = try await kind.make()
        let ids = Ids()
        try await makeAccount(store, ids.user(1), ids: ids)
        let results = try await withThrowingTaskGroup(of: (failedAttempts: Int, status: AccountStatus).self) { group in
            for _ in 1...50 { group.addTask { try await store.recordWrongPassword(userId: ids.user(1), blockAt: 5) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.map(\.failedAttempts).sorted() == Array(1...50))
        #expect(results.filter { $0.status == .normal }.map(\.failedAttempts).sorted() == [1, 2, 3, 4])
        let account = try #require(try await store.account(userId: ids.user(1)))
        #expect(account.status == .blocked && account.failedPasswordAttempts == 50)
        try await store.close()
    }

    @Test(arguments: StoreKind.available)
    func aRightPasswordNeverUnblocks(kind: StoreKind) async throws {
        let store = try await kind.make()
        let ids = Ids()
        try await makeAccount(store, ids.user(1), ids: ids)
        for _ in 1...4 { _ = try await store.recordWrongPassword(userId: ids.user(1), blockAt: 5) }
        #expect(try await store.recordRightPassword(userId: ids.user(1)) == .normal)
        #expect(try await store.account(userId: ids.user(1))?.failedPasswordAttempts == 0, "a right password resets the count")
        for _ in 1...5 { _ = try await store.recordWrongPassword(userId: ids.user(1), blockAt: 5) }
        #expect(try await store.recordRightPassword(userId: ids.user(1)) == .blocked)
        #expect(try await store.account(userId: ids.user(1))?.status == .blocked)
        try await store.setAccountStatus(userId: ids.user(1), .normal)
        let unblocked = try await store.account(userId: ids.user(1))
        #expect(unblocked?.status == .normal && unblocked?.failedPasswordAttempts == 0, "an operator's unblock clears the count")
        await #expect(throws: StoreError.notFound("account \(ids.user(9))")) {
            try await store.recordWrongPassword(userId: ids.user(9), blockAt: 5)
        }
        try await store.close()
    }
}
