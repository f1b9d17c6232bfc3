import ArgumentParser
import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOCore
import Synchronization
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol

/// `zhifu bench pay`: `alipay.trade.pay` requests per second end to end — HTTP, RSA2 verify of the
/// request, trade and payment in durable SQLite transactions, RSA2-signed response — against the
/// RSA-sign bound measured in the same run (`openssl speed rsa2048` sign/s × cores), with latency
/// percentiles. Requests are signed before the clock starts: what is timed is the gateway's work.
/// The load comes from `wrk` (another process, Debian's package) or from AsyncHTTPClient inside
/// this process (`--client builtin`); either way it shares the machine's cores with the gateway.
struct PayBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pay")
    @Option(help: "Signed requests to prepare (each with its own payment code).") var count = 4_000
    @Option(help: "Connections (requests in flight at once).") var concurrency = 32
    @Option(help: "Seconds for the openssl speed reference.") var seconds = 3
    @Option(help: "wrk (default) or builtin.") var client = "wrk"
    @Option(help: "Seconds wrk runs; --count must outlast them.") var duration = 6
    @Option(help: "A scratch PostgreSQL database to run on (postgres://…); an SQLite file when absent.") var databaseURL: String?
    @Option(help: "Funded buyers the payment codes are spread over (besides the demo's people): a gateway's payers are many, and on PostgreSQL a buyer's row is locked while its payment commits.")
    var buyers = 1_000
    @Flag(help: "builtin only: the closed-loop run takes half the requests; the other half is then sent at half its rate, and their latency reported (issue 17: p99 ≤ 10 ms).")
    var paced = false

    func run() async throws {
        guard (0...100_000).contains(buyers) else { throw ValidationError("--buyers must be 0 to 100000") }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let reference = try OpenSSLSpeed.measure(seconds: seconds)
        let bound = reference.rsaSign * Double(cores)
        let allCores = try OpenSSLSpeed.rsaSignAllCores(seconds: seconds, cores: cores)

        let (gateway, demo, directory) = try await openBenchGateway(databaseURL: databaseURL)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = gateway.configuration
        let appKey = try PrivateKey(text: String(contentsOfFile: try require(demo.keyFiles["app_private.pem"]), encoding: .utf8))
        let signer = try RSASigner(key: appKey, signType: .rsa2)
        let buyers = try await Self.fundedBuyers(buyers, store: gateway.store, now: gateway.clock.now) + demo.people.filter { $0.balance.fen > 0 }.map(\.userId)

        // Payment codes as the buyers' phones would show them, and the signed requests.
        let now = gateway.clock.now
        var codes: [String] = []
        for n in 0..<count {
            let code = PaymentCode(code: "28" + SecureRandom.digits(16), buyer: buyers[n % buyers.count], expiresAt: now.addingTimeInterval(3_600))
            try await gateway.store.insertPaymentCode(code)
            codes.append(code.code)
        }
        let bodies = try await Self.signedRequests(codes: codes, appId: demo.appId, timestamp: configuration.calendar.timestamp(now), signer: signer)
        // The floor: the same requests with a scene no scanner sends, refused (40004
        // ACQ.INVALID_PARAMETER, signed RSA2) after the HTTP, the form, the signature check and the
        // model, before any trade or store work.
        let floorBodies = client == "wrk" ? try await Self.signedRequests(codes: Array(codes.prefix(2_000)), appId: demo.appId,
                                                                         timestamp: configuration.calendar.timestamp(now), signer: signer, scene: "bench_floor") : []

        let port = Mutex<Int?>(nil)
        let app = buildApplication(gateway: gateway, logger: benchLogger, onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } })
        let server = Task { try await app.runService(gracefulShutdownSignals: []) }
        while port.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(20)) }
        let base = "http://127.0.0.1:\(port.withLock { $0 }!)"
        let fundingTransfers = try await gateway.store.audit().transfers

        let paced = paced && client == "builtin"
        let closed = paced ? Array(bodies.prefix(bodies.count / 2)) : bodies
        let loadStart = CPUTimes.now()
        let load = client == "builtin" ? try await builtinLoad(closed, url: base + "/gateway.do")
                                       : try await wrkLoad(bodies, base: base, directory: directory)
        let loadShares = CPUTimes.shares(since: loadStart)
        // wrk stops with requests in flight, which the gateway still finishes: counted once settled.
        let payments = try await Self.settledTransfers(gateway.store) - fundingTransfers
        let rate = Double(payments) / load.seconds
        if let probe = floorBodies.first {
            // The floor measures a refusal only if it is one: checked on one request before the load.
            let answer = try await Self.post(probe, url: base + "/gateway.do")
            guard answer.contains(#""sub_code":"ACQ.INVALID_PARAMETER""#) else { throw ValidationError("the floor's request was not refused: \(answer)") }
        }
        let floorStart = CPUTimes.now()
        let floor = floorBodies.isEmpty ? nil : try await wrkLoad(floorBodies, base: base, directory: directory, cycling: true)
        let floorShares = CPUTimes.shares(since: floorStart)
        guard try await Self.settledTransfers(gateway.store) - fundingTransfers == payments else { throw ValidationError("a floor request moved money") }
        let halfRate = paced ? try await pacedLoad(Array(bodies.suffix(from: bodies.count / 2)), url: base + "/gateway.do", rate: rate / 2) : nil
        let audit = try await gateway.store.audit()

        let storeName = databaseURL == nil ? "SQLite (WAL, synchronous=FULL)" : "PostgreSQL"
        print("alipay.trade.pay end to end over HTTP on \(storeName), load from \(client), \(concurrency) connections, \(cores) cores:")
        print(String(format: "  gateway:   %7.0f payments/s  (%d payments committed in %.1f s)", rate, payments, load.seconds))
        print("  latency:   \(load.latency)")
        print("  machine:   \(loadShares)")
        print(String(format: "  reference: openssl speed rsa2048 %.0f sign/s × %d cores = %.0f/s  → gateway at %.2fx of the RSA-sign bound (goal ≥ %@)",
                     reference.rsaSign, cores, bound, rate / bound, databaseURL == nil ? "0.5" : "0.35"))
        print(String(format: "             openssl speed -multi %d rsa2048 (all cores signing at once) %.0f sign/s = %.2fx one core × cores → gateway at %.2fx of it",
                     cores, allCores, allCores / bound, rate / allCores))
        if let floor, let floorRate = floor.requestsPerSecond {
            print(String(format: "  floor:     %7.0f requests/s refused before the store (the same requests, scene invalid: HTTP, form, verify, model, signed 40004) = %.2fx of the bound; trade.pay at %.2fx of the floor",
                         floorRate, floorRate / bound, rate / floorRate))
            print("  floor latency: \(floor.latency); machine: \(floorShares)")
        }
        if let halfRate {
            print(String(format: "  at half that rate (%.0f requests/s scheduled, open loop, latency from each request's scheduled time): %@ → p99 goal ≤ 10 ms",
                         rate / 2, halfRate.latency))
        }
        print("  audit: \(audit)")
        server.cancel()
        // Requests still in flight (wrk stops mid-request) must finish before the process exits:
        // one signing an answer while OpenSSL's exit handlers ran crashed the PostgreSQL run.
        _ = await server.result
        try await gateway.store.close()
        guard load.failures == 0, (halfRate?.failures ?? 0) == 0, (floor?.failures ?? 0) == 0, audit.isBalanced else { throw ValidationError("\(load.failures) requests failed, or the ledger is unbalanced") }
        guard client == "builtin" || payments < bodies.count else { throw ValidationError("all \(bodies.count) prepared requests were used: raise --count") }
    }

    /// `count` accounts with ¥1,000 each from the clearing account, in one store call.
    static func fundedBuyers(_ count: Int, store: any Store, now: Date) async throws -> [UserId] {
        let ids = try (0..<count).map { try require(UserId("2088\(900_000_000_000 + $0)")) }
        let passwordHash = PaymentPassword.hash("bench-\(SecureRandom.digits(8))")  // one KDF run for all: none of them logs in
        for id in ids {
            _ = try await store.insertAccount(Account(userId: id, logonId: "buyer\(id.rawValue.suffix(6))@bench.zhifu", name: "Bench Buyer",
                                                      passwordHash: passwordHash))
        }
        let funding = ids.map { Transfer(id: "bench-funding-\($0)", debit: SystemAccounts.clearing, credit: $0, amount: Amount(fen: 100_000),
                                         code: .funding, reference: "bench", createdAt: now) }
        guard try await store.post(funding).allSatisfy(\.isPosted) else { throw ValidationError("funding the bench's buyers was refused") }
        return ids
    }

    /// One signed `alipay.trade.pay` form per payment code (RSA2, the demo app's key), made on every core.
    static func signedRequests(codes: [String], appId: String, timestamp: String, signer: RSASigner, scene: String = "bar_code") async throws -> [String] {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        return try await withThrowingTaskGroup(of: [(Int, String)].self) { group in
            for part in 0..<cores {
                group.addTask {
                    try stride(from: part, to: codes.count, by: cores).map { n in
                        var p = Parameters([("app_id", appId), ("method", "alipay.trade.pay"), ("format", "JSON"), ("charset", "utf-8"),
                                            ("sign_type", "RSA2"), ("timestamp", timestamp), ("version", "1.0"),
                                            ("biz_content", #"{"out_trade_no":"bench-\#(n)","scene":"\#(scene)","auth_code":"\#(codes[n])","subject":"bench","total_amount":"0.01"}"#)])
                        p["sign"] = try signer.sign(Array(SignContent.openAPIRequest(p).utf8))
                        return (n, FormCoding.encode(p, charset: .utf8)!)
                    }
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// Open-loop load: request i is sent at `start + i / rate` whatever the earlier ones are doing,
    /// and its latency counts from that scheduled time, so a stall delays every request behind it
    /// in the figures too (no coordinated omission).
    func pacedLoad(_ bodies: [String], url: String, rate: Double) async throws -> Load {
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        let start = ContinuousClock.now
        let results = try await withThrowingTaskGroup(of: (Double, Bool).self) { group in
            for (index, body) in bodies.enumerated() {
                let due = start + .nanoseconds(Int64(Double(index) / rate * 1e9))
                try await Task.sleep(until: due, clock: .continuous)
                group.addTask {
                    let response = try await http.execute(Self.formRequest(body, url: url), timeout: .seconds(30))
                    let text = String(buffer: try await response.body.collect(upTo: 64 * 1024))
                    return (milliseconds(ContinuousClock.now - due), text.contains(#""code":"10000""#))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let seconds = milliseconds(ContinuousClock.now - start) / 1000
        try await http.shutdown()
        return Load(seconds: seconds, latency: Self.percentiles(results.map(\.0)), failures: results.filter { !$0.1 }.count)
    }

    static func percentiles(_ values: [Double]) -> String {
        let sorted = values.sorted()
        func percentile(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        return String(format: "p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms", percentile(0.5), percentile(0.9), percentile(0.99), sorted.last ?? 0)
    }

    struct Load {
        var seconds: Double
        var latency: String
        var failures: Int
        /// wrk's own count of answered requests per second.
        var requestsPerSecond: Double? = nil
    }

    /// A POST of one signed form to the gateway.
    static func formRequest(_ body: String, url: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded;charset=utf-8")
        request.body = .bytes(ByteBuffer(string: body))
        return request
    }

    /// The ledger's transfer count once it has not changed for 200 ms: the gateway has finished
    /// the requests a load left in flight. A ledger still moving after 10 s fails the run.
    static func settledTransfers(_ store: any Store) async throws -> Int {
        var count = try await store.audit().transfers
        for _ in 0..<50 {
            try await Task.sleep(for: .milliseconds(200))
            let now = try await store.audit().transfers
            if now == count { return count }
            count = now
        }
        throw ValidationError("the ledger was still moving 10 s after the load")
    }

    /// One signed form posted; the answer's text.
    static func post(_ body: String, url: String) async throws -> String {
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        let answer: Result<ByteBuffer, any Error>
        do { answer = .success(try await http.execute(formRequest(body, url: url), timeout: .seconds(30)).body.collect(upTo: 64 * 1024)) } catch { answer = .failure(error) }
        try await http.shutdown()
        return String(buffer: try answer.get())
    }

    /// AsyncHTTPClient in this process, `concurrency` workers, until every request is answered.
    func builtinLoad(_ bodies: [String], url: String) async throws -> Load {
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        let next = Counter()
        let start = ContinuousClock.now
        let results = try await withThrowingTaskGroup(of: [(Double, Bool)].self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var mine: [(Double, Bool)] = []
                    while true {
                        let n = next.value.add(1, ordering: .relaxed).oldValue
                        guard n < bodies.count else { return mine }
                        let sent = ContinuousClock.now
                        let response = try await http.execute(Self.formRequest(bodies[n], url: url), timeout: .seconds(30))
                        let body = String(buffer: try await response.body.collect(upTo: 64 * 1024))
                        mine.append((milliseconds(ContinuousClock.now - sent), body.contains(#""code":"10000""#)))
                    }
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let seconds = milliseconds(ContinuousClock.now - start) / 1000
        try await http.shutdown()
        return Load(seconds: seconds, latency: Self.percentiles(results.map(\.0)), failures: results.filter { !$0.1 }.count)
    }

    /// `wrk -t2 -c<concurrency> -d<duration>s --latency`, each thread taking every other prepared
    /// request, once each or (`cycling`) round and round.
    func wrkLoad(_ bodies: [String], base: String, directory: String, cycling: Bool = false) async throws -> Load {
        let bodiesPath = directory + "/bodies.txt", scriptPath = directory + "/pay.lua"
        try bodies.joined(separator: "\n").write(toFile: bodiesPath, atomically: true, encoding: .utf8)
        try Self.wrkScript.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        let arguments = ["wrk", "-t2", "-c\(concurrency)", "-d\(duration)s", "--latency", "-s", scriptPath, base, "--", bodiesPath] + (cycling ? ["cycle"] : [])
        let output = try await runCapturingOnThread(arguments)
        let lines = output.split(separator: "\n").map { $0.trimmingCharacters(in: CharacterSet.whitespaces) }
        func value(_ prefix: String) -> String {
            lines.first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)).trimmingCharacters(in: CharacterSet.whitespaces) } ?? "?"
        }
        let errors = lines.first { $0.hasPrefix("Non-2xx") || $0.hasPrefix("Socket errors") }
        return Load(seconds: Double(duration), latency: "p50 \(value("50%"))  p90 \(value("90%"))  p99 \(value("99%"))  (wrk)",
                    failures: errors == nil ? 0 : 1, requestsPerSecond: Double(value("Requests/sec:")))
    }

    /// Thread n of 2 sends prepared requests n, n+2, n+4, …: each once, or with a second argument
    /// `cycle`, round and round (the list's length is even, so each thread keeps its own half).
    static let wrkScript = """
        local counter = 0
        function setup(thread)
          thread:set("id", counter)
          counter = counter + 1
        end
        function init(args)
          bodies = {}
          for line in io.lines(args[1]) do bodies[#bodies + 1] = line end
          index = id + 1
          cycle = args[2] == "cycle"
        end
        function request()
          local body = bodies[index]
          index = index + 2
          if cycle and index > #bodies then index = index - #bodies end
          if body == nil then return wrk.format("GET", "/health") end
          return wrk.format("POST", "/gateway.do", {["Content-Type"] = "application/x-www-form-urlencoded;charset=utf-8"}, body)
        end
        """
}

/// Hands out request numbers to the benchmark's workers.
final class Counter: Sendable {
    let value = Atomic<Int>(0)
}
