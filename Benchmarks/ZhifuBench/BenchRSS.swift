import ArgumentParser
import Foundation
import GRDB
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol
import ZhifuStoreSQLite

/// `zhifu-bench rss`: the resident memory of a real `zhifu serve` process (SQLite, durable) while
/// wrk sends it `alipay.trade.pay` requests, sampled from `/proc/<pid>/status` every two seconds.
/// The requests are signed and their payment codes stored before the server starts, so the
/// process measured holds only what serving costs.
struct RSSBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rss")
    @Option(help: "The zhifu binary to run.") var zhifu = ".build/release/zhifu"
    @Option(help: "Signed requests to prepare (each with its own payment code).") var count = 110_000
    @Option(help: "Seconds wrk runs; --count must outlast them.") var duration = 240
    @Option(help: "Connections.") var concurrency = 32

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zhifu-rss-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bodiesPath = try await prepare(directory)

        let port = 20_000 + Int.random(in: 0..<20_000)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: zhifu)
        server.arguments = ["serve", "--data-dir", directory, "--port", String(port)]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { if server.isRunning { server.terminate() } }
        for _ in 0..<300 {
            if (try? runCapturing(["curl", "-sf", "http://127.0.0.1:\(port)/health"]))?.contains("ok") == true { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let pid = server.processIdentifier
        let idle = Self.residentKilobytes(pid: pid)
        try PayBench.wrkScript.write(toFile: directory + "/pay.lua", atomically: true, encoding: .utf8)
        let arguments = ["wrk", "-t2", "-c\(concurrency)", "-d\(duration)s", "-s", directory + "/pay.lua", "http://127.0.0.1:\(port)", "--", bodiesPath]
        let load = Task.detached { try runCapturing(arguments) }
        var samples: [(seconds: Double, kilobytes: Int, anonymous: Int)] = []
        let start = ContinuousClock.now
        while samples.count < duration / 2 {
            try await Task.sleep(for: .seconds(2))
            samples.append((milliseconds(ContinuousClock.now - start) / 1000, Self.residentKilobytes(pid: pid),
                            Self.residentKilobytes(pid: pid, field: "RssAnon:")))
        }
        let output = try await load.value
        server.terminate()
        server.waitUntilExit()

        let store = try SQLiteStore(path: directory + "/zhifu.sqlite")
        let audit = try await store.audit()
        let payments = try await DatabaseQueue(path: directory + "/zhifu.sqlite").read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM transfers WHERE code = 'trade_pay'") ?? 0
        }
        try await store.close()
        let requests = output.split(separator: "\n").first { $0.contains("requests in") }.map(String.init) ?? "?"
        print("zhifu serve (release, SQLite WAL synchronous=FULL) under wrk -t2 -c\(concurrency) for \(duration) s: \(payments) payments")
        print("  wrk: \(requests.trimmingCharacters(in: .whitespaces))")
        print("  RSS idle before the load: \(idle / 1024) MB")
        let rate = Double(payments) / Double(duration)
        for (index, sample) in samples.enumerated() where index % 10 == 9 || index == samples.count - 1 {
            print(String(format: "  RSS at %5.0f s (≈ %6.0f payments): %4d MB (anonymous %d MB; the rest mapped files: SQLite's WAL index, the binary)",
                         sample.seconds, sample.seconds * rate, sample.kilobytes / 1024, sample.anonymous / 1024))
        }
        let warm = samples.first { $0.seconds * rate >= 10_000 } ?? samples[0]
        let peak = samples.map(\.kilobytes).max() ?? 0
        print(String(format: "  after warm-up (10,000 payments): %d MB; peak %d MB; last %d MB (goal ≤ 100 MB, flat after warm-up)",
                     warm.kilobytes / 1024, peak / 1024, (samples.last?.kilobytes ?? 0) / 1024))
        print("  audit: \(audit)")
        guard audit.isBalanced else { throw ValidationError("the ledger is unbalanced") }
        guard payments < count else { throw ValidationError("all \(count) prepared requests were used: raise --count") }
    }

    /// Creates the demo world in `directory` (as `zhifu serve` would), stores a payment code per
    /// request in one transaction and writes the signed requests; returns the requests' file.
    func prepare(_ directory: String) async throws -> String {
        var configuration = GatewayConfiguration()
        configuration.dataDirectory = directory
        let store = try SQLiteStore(path: directory + "/zhifu.sqlite")
        let gateway = try await Gateway.open(configuration, store: store)
        let demo = try require(gateway.demo)
        let appKey = try PrivateKey(text: String(contentsOfFile: try require(demo.keyFiles["app_private.pem"]), encoding: .utf8))
        let signer = try RSASigner(key: appKey, signType: .rsa2)
        let buyers = demo.people.filter { $0.balance.fen > 0 }.map(\.userId)
        let now = gateway.clock.now, timestamp = configuration.calendar.timestamp(now), appId = demo.appId
        try await store.close()

        let codes = (0..<count).map { _ in "28" + SecureRandom.digits(16) }
        let expires = now.addingTimeInterval(7_200).epochMilliseconds
        try await DatabaseQueue(path: directory + "/zhifu.sqlite").write { db in
            for (n, code) in codes.enumerated() {
                try db.execute(sql: "INSERT INTO payment_codes (code, user_id, expires_at) VALUES (?, ?, ?)",
                               arguments: [code, buyers[n % buyers.count].rawValue, expires])
            }
        }
        let bodies = try await PayBench.signedRequests(codes: codes, appId: appId, timestamp: timestamp, signer: signer)
        let path = directory + "/bodies.txt"
        try bodies.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A memory line of `/proc/<pid>/status` (VmRSS by default), in kilobytes (0 when it cannot be read).
    static func residentKilobytes(pid: Int32, field: String = "VmRSS:") -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field) }) else { return 0 }
        return Int(line.split(whereSeparator: \.isWhitespace).dropFirst().first ?? "") ?? 0
    }
}
