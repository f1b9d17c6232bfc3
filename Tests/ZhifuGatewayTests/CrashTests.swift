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
#if canImport(Glibc)
import Glibc
#endif

/// `zhifu serve` as a child process, as a merchant would run it.
struct ServeProcess {
    let process = Process()
    let port: Int

    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("zhifu")
    }

    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    init(dataDirectory: String, fixtures: String, fault: String? = nil) throws {
        port = Self.freePort()
        process.executableURL = Self.binary
        process.arguments = ["serve", "--data-dir", dataDirectory, "--fixtures", fixtures, "--port", String(port)]
        var environment = ProcessInfo.processInfo.environment
        environment["ZHIFU_FAULT"] = fault
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
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
            // First run: dies (SIGKILL) after the 500th of 1000 records, inside the batch's transaction.
            let first = try ServeProcess(dataDirectory: directory, fixtures: fixturesPath, fault: "batch_trans.record=500")
            defer { if first.process.isRunning { first.process.terminate() } }
            try await first.waitUntilHealthy()
            let details = (0..<1000).map { "\(String(format: "%05d", $0))^\(payees[$0 % 10].logon)^\(payees[$0 % 10].name)^0.03^crash" }
            let today = BusinessCalendar().day(Date())
            let params = Parameters([("account_name", "毛毛"), ("detail_data", details.joined(separator: "|")), ("batch_no", "2024crash0000001"),
                                     ("batch_num", "1000"), ("batch_fee", "30.00"), ("pay_date", today), ("email", TestWorld.payerLogon),
                                     ("notify_url", "http://127.0.0.1:\(sinkClient.port!)/notify")])
            let client = MAPIClient(gatewayURL: "/gateway.do", partner: TestWorld.partner, signer: MD5Signer(key: TestWorld.md5Key))
            let page = try await first.post("/gateway.do", form: try client.formBody(service: "batch_trans_notify", params))
            let form = formEncode([("batch_id", try #require(inputValue("batch_id", in: page))), ("token", inputValue("token", in: page)!),
                                   ("account", TestWorld.payerLogon), ("password", TestWorld.payerPassword)])
            await #expect(throws: (any Error).self) { _ = try await first.post("/pages/batch_trans/confirm", form: form) }
            await first.waitForExit()
            #expect(first.process.terminationReason == .uncaughtSignal && first.process.terminationStatus == SIGKILL)

            // Between the runs: the batch is PROCESSING, nothing of it is posted, the ledger balances.
            do {
                let store = try SQLiteStore(path: directory + "/zhifu.sqlite")
                let batchId = try #require(try await store.batchIds(status: .processing).first)
                #expect(try await store.transfers(reference: batchId).isEmpty)
                #expect(try await store.audit().isBalanced)
                try await store.close()
            }

            // Second run: finishes the batch at start, and the notifier delivers it.
            let second = try ServeProcess(dataDirectory: directory, fixtures: fixturesPath)
            defer { if second.process.isRunning { second.process.terminate() } }
            try await second.waitUntilHealthy()
            for _ in 0..<200 where sink.count == 0 { try await Task.sleep(for: .milliseconds(100)) }
            second.process.terminate()
            await second.waitForExit()

            #expect(sink.count == 1, "delivered once, acknowledged")
            let (notified, _) = try FormCoding.decode(query: [], body: Array(sink.received.withLock { $0[0].body }.utf8))
            #expect(try TransResultDetail.parse(notified["success_details"] ?? "").count == 1000)
            #expect(MAPIClient.isValidNotification(notified, verifier: MD5Signer(key: TestWorld.md5Key)))

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
}
