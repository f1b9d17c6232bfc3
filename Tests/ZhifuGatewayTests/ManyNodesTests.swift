import AsyncHTTPClient
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Hummingbird
import HummingbirdTesting
import Testing
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol
import ZhifuSDK

/// Three `zhifu serve` processes on one PostgreSQL database behave as one gateway: the same
/// payment code, out_trade_no, out_request_no, batch_no and confirm form sent to every node at
/// once take effect once, and every notification is delivered by exactly one node.
@Suite(.serialized) struct ManyNodesTests {
    let api = OpenAPITests()
    static let buyer = UserId(TestWorld.buyer)!

    /// The JSON object of an OpenAPI answer.
    func call(_ node: ServeProcess, _ p: Parameters) async throws -> [String: String] {
        let text = try await node.post("/gateway.do", form: try #require(FormCoding.encode(p, charset: .utf8)))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let key = try #require(json.keys.first { $0.hasSuffix("_response") })
        return (json[key] as? [String: Any] ?? [:]).mapValues { "\($0)" }
    }

    /// `body` on every node at once; the answers in node order.
    func onEveryNode<T: Sendable>(_ nodes: [ServeProcess], _ body: @escaping @Sendable (ServeProcess) async throws -> T) async throws -> [T] {
        try await withThrowingTaskGroup(of: (Int, T).self) { group in
            for (index, node) in nodes.enumerated() { group.addTask { (index, try await body(node)) } }
            return try await group.reduce(into: [(Int, T)]()) { $0.append($1) }.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    @Test(.enabled(if: WorldStore.serverURL != nil))
    func threeNodesOnOneDatabaseActAsOneGateway() async throws {
        let world = try await TestWorld.make(store: .postgres)
        let url = try #require(world.gateway.configuration.databaseURL)
        let sink = NotifySink(script: [])
        try await sink.app().test(.live) { sinkClient in
            let notifyURL = "http://127.0.0.1:\(sinkClient.port!)/notify"
            let nodes = try (0..<3).map { try ServeProcess(dataDirectory: world.directory + "/node\($0)", fixtures: world.directory + "/fixtures.json",
                                                          arguments: ["--database-url", url]) }
            defer { for node in nodes where node.process.isRunning { node.process.terminate() } }
            for node in nodes { try await node.waitUntilHealthy() }
            let buyerBefore = try #require(try await world.gateway.store.account(userId: Self.buyer)).balance

            // One payment code, three orders, three nodes: one payment.
            let code = try await world.gateway.trades.issuePaymentCode(buyer: Self.buyer)
            let paid = try await onEveryNode(nodes) { node in
                let biz = #"{"out_trade_no":"mn-\#(node.port)","scene":"bar_code","auth_code":"\#(code.code)","subject":"s","total_amount":"10.00"}"#
                return try await call(node, try api.request(world, method: "alipay.trade.pay", biz: biz, overrides: [("notify_url", notifyURL)]))
            }
            #expect(paid.filter { $0["code"] == "10000" }.count == 1)
            #expect(paid.filter { $0["sub_code"] == "ACQ.PAYMENT_AUTH_CODE_INVALID" }.count == 2, "\(paid)")
            let tradeNo = try #require(paid.first { $0["code"] == "10000" }?["trade_no"])

            // One out_trade_no created on three nodes: one trade.
            let created = try await onEveryNode(nodes) { node in
                try await call(node, try api.request(world, method: "alipay.trade.create", biz: #"{"out_trade_no":"mn-create","total_amount":"1.00","subject":"s"}"#))
            }
            #expect(created.allSatisfy { $0["code"] == "10000" } && Set(created.compactMap { $0["trade_no"] }).count == 1)

            // One out_request_no refunded on three nodes: refunded once.
            let refunds = try await onEveryNode(nodes) { node in
                try await call(node, try api.request(world, method: "alipay.trade.refund",
                                                     biz: #"{"trade_no":"\#(tradeNo)","refund_amount":"4.00","out_request_no":"mn-r"}"#))
            }
            #expect(refunds.allSatisfy { $0["code"] == "10000" } && refunds.filter { $0["fund_change"] == "Y" }.count == 1)

            // One batch_no submitted to three nodes, its confirm form posted to three nodes: paid once.
            let batchURL = try world.client().requestURL(service: "batch_trans_notify", world.batchParameters(notifyURL: notifyURL))
            let pages = try await onEveryNode(nodes) { try await $0.get(batchURL) }
            let batchIds = Set(pages.compactMap { inputValue("batch_id", in: $0) })
            #expect(batchIds.count == 1)
            let form = formEncode([("batch_id", try #require(batchIds.first)), ("token", try #require(inputValue("token", in: pages[0]))),
                                   ("account", TestWorld.payerLogon), ("password", TestWorld.payerPassword)])
            let results = try await onEveryNode(nodes) { try await $0.post("/pages/batch_trans/confirm", form: form) }
            // The node that won pays; the others show the batch as it stands (paid, or still being paid).
            #expect(results.contains { element("result", in: $0) == "复核成功" })
            #expect(results.allSatisfy { ["复核成功", "处理中"].contains(element("result", in: $0)) }, "\(results.map { element("result", in: $0) })")

            // Every notification reaches the sink once: the pay, the refund, the batch.
            for _ in 0..<200 where sink.count < 3 { try await Task.sleep(for: .milliseconds(100)) }
            try await Task.sleep(for: .seconds(2))   // a duplicate delivery would arrive meanwhile
            let ids = sink.received.withLock { $0.compactMap { try? FormCoding.decode(query: [], body: Array($0.body.utf8)).0["notify_id"] } }
            #expect(ids.count == 3 && Set(ids).count == 3, "\(ids)")

            #expect(try await world.gateway.store.account(userId: Self.buyer)?.balance == Amount(fen: buyerBefore.fen - 1_000 + 400))
            #expect(try await world.gateway.store.account(logonId: "testture0002@126.com")?.balance == Amount(fen: 2_000))
            #expect(try await world.gateway.store.audit().isBalanced)
            for node in nodes {
                node.process.terminate()
                await node.waitForExit()
            }
        }
    }

    /// A node killed (SIGKILL) right after leasing a notification loses nothing: once the lease is
    /// over, another node delivers it, once. (Manual clocks: the second node's is moved past the lease.)
    @Test(.enabled(if: WorldStore.serverURL != nil))
    func aNotificationLeasedByAKilledNodeIsDeliveredByAnotherOnce() async throws {
        let world = try await TestWorld.make(store: .postgres)
        let url = try #require(world.gateway.configuration.databaseURL)
        let sink = NotifySink(script: [])
        try await sink.app().test(.live) { sinkClient in
            let fixtures = world.directory + "/fixtures.json"
            let first = try ServeProcess(dataDirectory: world.directory + "/a", fixtures: fixtures, fault: "notifier.claimed=1",
                                         arguments: ["--database-url", url, "--clock", "manual"])
            defer { if first.process.isRunning { first.process.terminate() } }
            try await first.waitUntilHealthy()
            let code = try await world.gateway.trades.issuePaymentCode(buyer: Self.buyer)
            let biz = #"{"out_trade_no":"lease-1","scene":"bar_code","auth_code":"\#(code.code)","subject":"s","total_amount":"1.00"}"#
            let notifyURL = "http://127.0.0.1:\(sinkClient.port!)/notify"
            // The node may die before or after answering: what counts is what the database holds.
            _ = try? await call(first, try api.request(world, method: "alipay.trade.pay", biz: biz, overrides: [("notify_url", notifyURL)]))
            await first.waitForExit()
            #expect(try await world.gateway.store.trade(partner: UserId(TestWorld.partner)!, outTradeNo: "lease-1")?.status == .tradeSuccess)
            #expect(first.process.terminationStatus == SIGKILL, "killed holding the lease")

            let second = try ServeProcess(dataDirectory: world.directory + "/b", fixtures: fixtures, arguments: ["--database-url", url, "--clock", "manual"])
            defer { if second.process.isRunning { second.process.terminate() } }
            try await second.waitUntilHealthy()
            try await Task.sleep(for: .seconds(1))
            #expect(sink.count == 0, "the lease is still held")
            _ = try await second.post("/sandbox/clock/advance?seconds=61", form: "")
            for _ in 0..<100 where sink.count == 0 { try await Task.sleep(for: .milliseconds(100)) }
            try await Task.sleep(for: .seconds(1))
            #expect(sink.count == 1, "delivered once by the surviving node")
            second.process.terminate()
            await second.waitForExit()
        }
    }

    /// Every node sweeps for trades past their timeout; a trade still closes once, with one
    /// TRADE_CLOSED notification. The nodes' manual clock is one, kept in the database.
    @Test(.enabled(if: WorldStore.serverURL != nil))
    func theSweeperClosesATradeOnceAcrossNodes() async throws {
        let world = try await TestWorld.make(store: .postgres)
        let url = try #require(world.gateway.configuration.databaseURL)
        let sink = NotifySink(script: [])
        try await sink.app().test(.live) { sinkClient in
            let nodes = try (0..<3).map { try ServeProcess(dataDirectory: world.directory + "/sweep\($0)", fixtures: world.directory + "/fixtures.json",
                                                          arguments: ["--database-url", url, "--clock", "manual"]) }
            defer { for node in nodes where node.process.isRunning { node.process.terminate() } }
            for node in nodes { try await node.waitUntilHealthy() }
            let biz = #"{"out_trade_no":"sweep-1","total_amount":"1.00","subject":"s","timeout_express":"1m"}"#
            let created = try await call(nodes[0], try api.request(world, method: "alipay.trade.create", biz: biz,
                                                                   overrides: [("notify_url", "http://127.0.0.1:\(sinkClient.port!)/notify")]))
            #expect(created["code"] == "10000")
            let before = try await nodes[2].get("/sandbox/clock")
            _ = try await onEveryNode(nodes) { try await $0.post("/sandbox/clock/advance?seconds=120", form: "") }
            // The sandbox time is the database's: every node tells the same, three moves of 120 s later.
            let clocks = try await onEveryNode(nodes) { try await $0.get("/sandbox/clock") }
            #expect(Set(clocks).count == 1, "\(clocks)")
            let millis = { (text: String) in (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String])?["epochMillis"].flatMap { Int64($0) } }
            #expect(millis(clocks[0]).flatMap { after in millis(before).map { after - $0 } } == 360_000)
            for _ in 0..<100 where sink.count == 0 { try await Task.sleep(for: .milliseconds(100)) }
            try await Task.sleep(for: .seconds(2))   // every node has swept at least once more meanwhile
            let told = sink.received.withLock { $0.compactMap { try? FormCoding.decode(query: [], body: Array($0.body.utf8)).0["trade_status"] } }
            #expect(told == ["TRADE_CLOSED"], "\(told)")
            for node in nodes {
                node.process.terminate()
                await node.waitForExit()
            }
        }
    }
}
