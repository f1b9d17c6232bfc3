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
struct PayBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pay")
    @Option(help: "Requests to send.") var count = 4_000
    @Option(help: "Requests in flight at once.") var concurrency = 32
    @Option(help: "Seconds for the openssl speed reference.") var seconds = 3

    func run() async throws {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let reference = try OpenSSLSpeed.measure(seconds: seconds)
        let bound = reference.rsaSign * Double(cores)

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zhifu-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = GatewayConfiguration()
        configuration.dataDirectory = directory
        configuration.port = 0
        let gateway = try await Gateway.open(configuration)
        let demo = try require(gateway.demo)
        let appKey = try PrivateKey(text: String(contentsOfFile: try require(demo.keyFiles["app_private.pem"]), encoding: .utf8))
        let signer = try RSASigner(key: appKey, signType: .rsa2)
        let buyers = demo.people.filter { $0.balance.fen > 0 }.map(\.userId)

        // Payment codes as the buyers' phones would show them, and the signed requests.
        let now = gateway.clock.now
        var bodies: [String] = []
        for n in 0..<count {
            let code = PaymentCode(code: "28" + SecureRandom.digits(16), buyer: buyers[n % buyers.count], expiresAt: now.addingTimeInterval(3_600))
            try await gateway.store.insertPaymentCode(code)
            var p = Parameters([("app_id", demo.appId), ("method", "alipay.trade.pay"), ("format", "JSON"), ("charset", "utf-8"),
                                ("sign_type", "RSA2"), ("timestamp", configuration.calendar.timestamp(now)), ("version", "1.0"),
                                ("biz_content", #"{"out_trade_no":"bench-\#(n)","scene":"bar_code","auth_code":"\#(code.code)","subject":"bench","total_amount":"0.01"}"#)])
            p["sign"] = try signer.sign(Array(SignContent.openAPIRequest(p).utf8))
            bodies.append(FormCoding.encode(p, charset: .utf8)!)
        }

        let port = Mutex<Int?>(nil)
        let app = buildApplication(gateway: gateway, onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } })
        let server = Task { try await app.runService(gracefulShutdownSignals: []) }
        while port.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(20)) }
        let url = "http://127.0.0.1:\(port.withLock { $0 }!)/gateway.do"
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

        let requests = bodies
        let next = Counter()
        let start = ContinuousClock.now
        let results = try await withThrowingTaskGroup(of: [(Double, Bool)].self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var mine: [(Double, Bool)] = []
                    while true {
                        let n = next.value.add(1, ordering: .relaxed).oldValue
                        guard n < requests.count else { return mine }
                        var request = HTTPClientRequest(url: url)
                        request.method = .POST
                        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded;charset=utf-8")
                        request.body = .bytes(ByteBuffer(string: requests[n]))
                        let sent = ContinuousClock.now
                        let response = try await http.execute(request, timeout: .seconds(30))
                        let body = String(buffer: try await response.body.collect(upTo: 64 * 1024))
                        mine.append((milliseconds(ContinuousClock.now - sent), body.contains(#""code":"10000""#)))
                    }
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let elapsed = milliseconds(ContinuousClock.now - start) / 1000
        let latencies = results.map(\.0).sorted()
        let succeeded = results.filter(\.1).count
        func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
        let rate = Double(results.count) / elapsed
        let audit = try await gateway.store.audit()

        print("alipay.trade.pay end to end over HTTP on SQLite (WAL, synchronous=FULL), \(count) requests, \(concurrency) in flight, \(cores) cores:")
        print(String(format: "  gateway:   %7.0f requests/s  (%d answered 10000)", rate, succeeded))
        print(String(format: "  latency:   p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms", percentile(0.5), percentile(0.9), percentile(0.99), latencies.last ?? 0))
        print(String(format: "  reference: openssl speed rsa2048 %.0f sign/s × %d cores = %.0f/s  → gateway at %.2fx of the RSA-sign bound (goal ≥ 0.5)",
                     reference.rsaSign, cores, bound, rate / bound))
        print("  audit: \(audit)")
        try await http.shutdown()
        server.cancel()
        try await gateway.store.close()
        guard succeeded == count, audit.isBalanced else { throw ValidationError("\(count - succeeded) payments failed or the ledger is unbalanced") }
    }
}

/// Hands out request numbers to the benchmark's workers.
final class Counter: Sendable {
    let value = Atomic<Int>(0)
}
