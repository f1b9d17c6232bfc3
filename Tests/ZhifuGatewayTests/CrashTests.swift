import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import ZhifuCore
import ZhifuProtocol
import ZhifuSDK
import ZhifuStoreSQLite
import ZhifuTesting
#if canImport(Glibc)
import Glibc
#endif

/// `zhifu serve` as a child process, as a merchant would run it.
struct ServeProcess {
    let process = Process()
    let port: Int
    let logPath: String

    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("zhifu")
    }

    init(dataDirectory: String, fixtures: String, fault: String? = nil, arguments: [String] = []) throws {
        port = try ZhifuSandbox.freePort()
        process.executableURL = Self.binary
        process.arguments = ["serve", "--data-dir", dataDirectory, "--fixtures", fixtures, "--port", String(port)] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["ZHIFU_FAULT"] = fault
        process.environment = environment
        // The node's log beside its data directory, for a failing test to show.
        FileManager.default.createFile(atPath: dataDirectory + ".log", contents: nil)
        let log = FileHandle(forWritingAtPath: dataDirectory + ".log")
        log?.seekToEndOfFile()
        process.standardOutput = log ?? FileHandle.nullDevice
        process.standardError = log ?? FileHandle.nullDevice
        logPath = dataDirectory + ".log"
        try process.run()
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    func waitUntilHealthy() async throws {
        for _ in 0..<300 {
            if let response = try? await testHTTPClient.execute(HTTPClientRequest(url: baseURL + "/health"), timeout: .seconds(1)),
               response.status == .ok { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw CancellationError()
    }

    func get(_ path: String) async throws -> String {
        let response = try await testHTTPClient.execute(HTTPClientRequest(url: baseURL + path), timeout: .seconds(60))
        return String(buffer: try await response.body.collect(upTo: 1 << 22))
    }

    func post(_ path: String, form: String) async throws -> String {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: form))
        let response = try await testHTTPClient.execute(request, timeout: .seconds(60))
        return String(buffer: try await response.body.collect(upTo: 1 << 22))
    }

    func waitForExit() async {
        while process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
    }
}

@Suite(.serialized) struct CrashTests {
    /// Submits `service` with `params` to a node armed with `fault`, confirms the page as the payer
    /// and expects the node to kill itself (SIGKILL) on the way; checks `between` on the store left
    /// behind; starts the node again, which must finish the batch at start and deliver its one
    /// notification, whose parameters it returns.
    func crashMidBatchAndRestart(directory: String, fixtures: String, fault: String, service: String, params: Parameters, confirmPath: String,
                                 sink: NotifySink, between: (SQLiteStore) async throws -> Void) async throws -> Parameters {
        let first = try ServeProcess(dataDirectory: directory, fixtures: fixtures, fault: fault)
        defer { if first.process.isRunning { first.process.terminate() } }
        try await first.waitUntilHealthy()
        let client = MAPIClient(gatewayURL: "/gateway.do", partner: TestWorld.partner, signer: MD5Signer(key: TestWorld.md5Key))
        let page = try await first.post("/gateway.do", form: try client.formBody(service: service, params))
        let form = formEncode([("batch_id", try #require(inputValue("batch_id", in: page))), ("token", inputValue("token", in: page)!),
                               ("account", TestWorld.payerLogon), ("password", TestWorld.payerPassword)])
        await #expect(throws: (any Error).self) { _ = try await first.post(confirmPath, form: form) }
        await first.waitForExit()
        #expect(first.process.terminationReason == .uncaughtSignal && first.process.terminationStatus == SIGKILL)
        let store = try SQLiteStore(path: directory + "/zhifu.sqlite")
        try await between(store)
        try await store.close()

        // A manual clock: if the sink, starved on a loaded machine, answers after the notifier's
        // timeout, the test moves time to the retry instead of waiting minutes for it.
        let second = try ServeProcess(dataDirectory: directory, fixtures: fixtures, arguments: ["--clock", "manual"])
        defer { if second.process.isRunning { second.process.terminate() } }
        try await second.waitUntilHealthy()
        for _ in 0..<600 where sink.count == 0 { try await Task.sleep(for: .milliseconds(100)) }
        let (notified, _) = try FormCoding.decode(query: [], body: Array(sink.received.withLock { $0.first?.body ?? "" }.utf8))
        let id = try #require(notified["notify_id"])
        let reader = try SQLiteStore(path: directory + "/zhifu.sqlite")
        for round in 0..<4 {
            for _ in 0..<300 where try await reader.notification(notifyId: id)?.status != .acknowledged {
                try await Task.sleep(for: .milliseconds(100))
            }
            if try await reader.notification(notifyId: id)?.status == .acknowledged { break }
            if round < 3 { _ = try await second.post("/sandbox/clock/advance?seconds=3600", form: "") }
        }
        if try await reader.notification(notifyId: id)?.status != .acknowledged {
            let attempts = try await reader.notificationAttempts(notifyId: id)
            let log = (try? String(contentsOfFile: second.logPath, encoding: .utf8)) ?? ""
            Issue.record("not acknowledged; attempts: \(attempts); node log: \(log.suffix(3000))")
        }
        // However many tries it took, they were of one notification: the batch was finished once.
        let ids = sink.received.withLock { $0.compactMap { try? FormCoding.decode(query: [], body: Array($0.body.utf8)).0["notify_id"] } }
        #expect(Set(ids) == [id], "one notification, delivered \(ids.count) time(s)")
        try await reader.close()
        second.process.terminate()
        await second.waitForExit()
        #expect(MAPIClient.isValidNotification(notified, verifier: MD5Signer(key: TestWorld.md5Key)))
        return notified
    }
    @Test func killedInTheMiddleOfABatchItResumesPaysEachRecordOnceAndNotifies() async throws {
        let directory = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let payees = (0..<10).map { (userId: "20881030000000\(String(format: "%02d", $0))", logon: "p\($0)@zhifu.test", name: "收款人\($0)") }
        let fixtures = """
            {"accounts": [{"userId": "\(TestWorld.partner)", "logonId": "\(TestWorld.payerLogon)", "name": "毛毛", "password": "\(TestWorld.payerPassword)", "balance": "50.00"}
                          \(payees.map { #", {"userId": "\#($0.userId)", "logonId": "\#($0.logon)", "name": "\#($0.name)"}"# }.joined())],
             "merchants": [{"partner": "\(TestWorld.partner)", "md5Key": "\(TestWorld.md5Key)"}]}
            """
        let fixturesPath = directory + "/fixtures.json"
        try Data(fixtures.utf8).write(to: URL(fileURLWithPath: fixturesPath))
        let sink = NotifySink(script: [])
        try await sink.app().test(.live) { sinkClient in
            // Dies (SIGKILL) after the 500th of 1000 records, inside the batch's transaction; the restart finishes it.
            let details = (0..<1000).map { "\(String(format: "%05d", $0))^\(payees[$0 % 10].logon)^\(payees[$0 % 10].name)^0.03^crash" }
            let params = Parameters([("account_name", "毛毛"), ("detail_data", details.joined(separator: "|")), ("batch_no", "2024crash0000001"),
                                     ("batch_num", "1000"), ("batch_fee", "30.00"), ("pay_date", BusinessCalendar().day(Date())),
                                     ("email", TestWorld.payerLogon), ("notify_url", "http://127.0.0.1:\(sinkClient.port!)/notify")])
            let notified = try await crashMidBatchAndRestart(directory: directory, fixtures: fixturesPath, fault: "batch_trans.record=500",
                                                             service: "batch_trans_notify", params: params, confirmPath: "/pages/batch_trans/confirm",
                                                             sink: sink) { (store: SQLiteStore) async throws in
                // Between the runs: the batch is PROCESSING, nothing of it is posted, the ledger balances.
                let batchId = try #require(try await store.batchIds(status: .processing).first)
                #expect(try await store.transfers(reference: batchId).isEmpty)
                #expect(try await store.audit().isBalanced)
            }
            #expect(try TransResultDetail.parse(notified["success_details"] ?? "").count == 1000)

            let store = try SQLiteStore(path: directory + "/zhifu.sqlite")
            let batch = try #require(try await store.batch(partner: UserId(TestWorld.partner)!, batchNo: "2024crash0000001"))
            #expect(batch.status == .completed)
            #expect(batch.details.allSatisfy { $0.status == .success })
            let transfers = try await store.transfers(reference: batch.id)
            #expect(transfers.count == 1000 && Set(transfers.map(\.id)).count == 1000, "every record paid exactly once")
            #expect(try await store.account(logonId: TestWorld.payerLogon)?.balance == Amount(fen: 2_000))
            for payee in payees { #expect(try await store.account(logonId: payee.logon)?.balance == Amount(fen: 300)) }
            #expect(try await store.notification(notifyId: notified["notify_id"]!)?.status == .acknowledged)
            #expect(try await store.audit().isBalanced)
            try await store.close()
        }
    }

    @Test func killedInTheMiddleOfARefundBatchItResumesRefundsEachRecordOnceAndNotifies() async throws {
        let directory = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let tradeNos = (0..<1000).map { "20261123220014" + String(format: "%08d", $0) }
        let fixtures = """
            {"accounts": [{"userId": "\(TestWorld.partner)", "logonId": "\(TestWorld.payerLogon)", "name": "毛毛", "password": "\(TestWorld.payerPassword)", "balance": "0.00"},
                          {"userId": "\(TestWorld.buyer)", "logonId": "15900005620", "name": "买家", "balance": "100.00"}],
             "merchants": [{"partner": "\(TestWorld.partner)", "md5Key": "\(TestWorld.md5Key)"}],
             "trades": [\(tradeNos.enumerated().map { #"{"tradeNo": "\#($1)", "partner": "\#(TestWorld.partner)", "buyer": "\#(TestWorld.buyer)", "outTradeNo": "crash-\#($0)", "amount": "0.10", "status": "TRADE_SUCCESS"}"# }.joined(separator: ","))]}
            """
        let fixturesPath = directory + "/fixtures.json"
        try Data(fixtures.utf8).write(to: URL(fileURLWithPath: fixturesPath))
        let sink = NotifySink(script: [])
        try await sink.app().test(.live) { sinkClient in
            // Dies (SIGKILL) after the 500th of 1000 records, each refund committed on its own; the restart finishes it.
            let params = Parameters([("seller_user_id", TestWorld.partner), ("refund_date", BusinessCalendar().timestamp(Date())),
                                     ("batch_no", BusinessCalendar().day(Date()) + "crash1"), ("batch_num", "1000"),
                                     ("detail_data", tradeNos.map { "\($0)^0.10^crash" }.joined(separator: "#")),
                                     ("notify_url", "http://127.0.0.1:\(sinkClient.port!)/notify")])
            let notified = try await crashMidBatchAndRestart(directory: directory, fixtures: fixturesPath, fault: "batch_refund.record=500",
                                                             service: "refund_fastpay_by_platform_pwd", params: params,
                                                             confirmPath: "/pages/batch_refund/confirm", sink: sink) { (store: SQLiteStore) async throws in
                #expect(try await store.refundBatchIds(status: .processing).count == 1)
                #expect(try await store.account(userId: UserId(TestWorld.buyer)!)?.balance == Amount(fen: 5_000), "500 refunds committed")
            }
            #expect(notified["notify_type"] == "batch_refund_notify" && notified["success_num"] == "1000")
            let store = try SQLiteStore(path: directory + "/zhifu.sqlite")
            #expect(try await store.account(userId: UserId(TestWorld.buyer)!)?.balance == Amount(fen: 10_000), "every record refunded exactly once")
            for tradeNo in tradeNos {
                let refunds = try await store.transfers(reference: tradeNo).filter { $0.code == .tradeRefund }
                #expect(refunds.count == 1, "\(tradeNo)")
            }
            #expect(try await store.audit().isBalanced)
            try await store.close()
        }
    }
}
