import Foundation
import Testing
import ZhifuCore
import ZhifuProtocol
@testable import ZhifuStore
import ZhifuStorePostgres

/// Statements marked ``SQL/prepared()`` run by name on PostgreSQL (issue 17): parsed and planned
/// once per connection, and answering exactly as the same statement sent unnamed.
@Suite struct PreparedStatementTests {
    /// Values of every kind, and a NULL where the statement's earlier run had a value.
    static func statement(_ amount: Int64?, _ name: String?, _ flag: Bool) -> SQL {
        "SELECT CAST(\(amount) AS BIGINT) + 1 AS next, \(name) || '!' AS shout, NOT \(flag) AS negated"
    }

    @Test(.enabled(if: StoreKind.postgresURL != nil, "needs ZHIFU_TEST_DATABASE_URL"))
    func aPreparedStatementAnswersAsTheUnnamedOne() async throws {
        let store = try #require(try await StoreKind.postgres.make() as? PostgresStore)
        let shapes: [(Int64?, String?, Bool)] = [(41, "pay", true), (nil, "pay", false), (7, nil, true), (41, "退款", false)]
        for _ in 1...3 {
            for (amount, name, flag) in shapes {
                let prepared = try await store.database.writeStatement(Self.statement(amount, name, flag).prepared())
                let unnamed = try await store.database.writeStatement(Self.statement(amount, name, flag))
                #expect(prepared.map(\.values) == unnamed.map(\.values))
                #expect(prepared.first?.values == [amount.map { .integer($0 + 1) } ?? .null, name.map { .text($0 + "!") } ?? .null, .bool(!flag)])
            }
        }
    }

    /// How many statements the connection that ran `statement` (three times, its text holding
    /// `marker`) keeps prepared with that text.
    static func preparedCount(_ statement: @escaping @Sendable (String) -> SQL) async throws -> SQLValue? {
        let store = try #require(try await StoreKind.postgres.make() as? PostgresStore)
        let marker = "zhifu statement \(Int.random(in: 0..<1_000_000_000))"
        return try await store.database.read { db in
            for _ in 1...3 { _ = try await db.fetchAll(statement(marker)) }
            let rows = try await db.fetchAll("SELECT count(*) AS count FROM pg_prepared_statements WHERE statement LIKE \("%" + marker + "%")")
            return rows.first?[column: "count"]
        }
    }

    @Test(.enabled(if: StoreKind.postgresURL != nil, "needs ZHIFU_TEST_DATABASE_URL"))
    func aPreparedStatementIsPreparedOnItsConnectionOnce() async throws {
        #expect(try await Self.preparedCount { SQL("SELECT 1 AS n, '\(unescaped: $0)' AS marker").prepared() } == .integer(1))
    }

    @Test(.enabled(if: StoreKind.postgresURL != nil, "needs ZHIFU_TEST_DATABASE_URL"))
    func unmarkedStatementsStayUnnamed() async throws {
        #expect(try await Self.preparedCount { SQL("SELECT 1 AS n, '\(unescaped: $0)' AS marker") } == .integer(0))
    }

    @Test(.enabled(if: StoreKind.postgresURL != nil, "needs ZHIFU_TEST_DATABASE_URL"))
    func concurrentRunsOfOnePreparedStatementAllAnswer() async throws {
        let store = try #require(try await StoreKind.postgres.make() as? PostgresStore)
        let answers = try await withThrowingTaskGroup(of: SQLValue?.self) { group in
            for n in 0..<64 {
                group.addTask {
                    try await store.database.writeStatement(SQL("SELECT \(Int64(n)) * 2 AS twice").prepared()).first?[column: "twice"]
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(answers.compactMap { if case .integer(let value)? = $0 { value } else { nil } }) == Set((0..<64).map { Int64($0) * 2 }))
    }

    /// Each shape is a statement every connection keeps, so a payment's statements must not put a
    /// value in their text: two payments with nothing in common but their shape give one text.
    @Test func aPaymentsStatementsTakeOneShapeWhateverItsValues() throws {
        func payment(_ n: Int) -> TradeUpdate {
            let ids = Ids(), now = Date(timeIntervalSince1970: TimeInterval(1_700_000_000 + n))
            let trade = Trade(tradeNo: "t\(n)", partner: ids.user(1), buyer: ids.user(2), outTradeNo: "o\(n)", amount: Amount(fen: Int64(100 * n)),
                              status: .tradeSuccess, createdAt: now, details: TradeDetails())
            let notification = OutboxNotification(notifyId: "n\(n)", partner: ids.user(1), notifyURL: "http://127.0.0.1:\(n)/notify",
                                                  notifyType: "trade_status_sync", protocol: .openapi, signType: .rsa2, charset: .utf8,
                                                  parameters: Parameters([("trade_no", "t\(n)")]), nextAttemptAt: now, createdAt: now)
            return TradeUpdate(trade: trade, transfers: [ids.transfer(n, ids.user(2), ids.user(1), Int64(100 * n))],
                               paymentCode: ("28\(n)", now), notifications: [notification], isNew: true)
        }
        let first = try PostgresStore.changeStatement(payment(1)), second = try PostgresStore.changeStatement(payment(2))
        #expect(first.isPrepared && second.isPrepared)
        #expect(first.text(numberedPlaceholders: true) == second.text(numberedPlaceholders: true))
        #expect(first.bindings != second.bindings)
        let posting = { (n: Int) in PostgresStore.postingStatement([Ids().transfer(n, Ids().user(1), Ids().user(2), Int64(n))]) }
        #expect(posting(1).isPrepared && posting(1).text(numberedPlaceholders: true) == posting(2).text(numberedPlaceholders: true))
    }
}
