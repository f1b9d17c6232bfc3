import ArgumentParser
import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOCore
import Synchronization
import ZhifuGateway

/// `zhifu bench logins`: how long `GET /health` takes while buyers log in (each login runs the
/// 100,000-round PBKDF2 of a payment password), with the KDF on its own threads and, in the same
/// run, on the request's thread as before. Each figure is a ratio to /health on the idle gateway.
struct LoginsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logins")
    @Option(help: "Logins in flight at once.") var concurrency = 20
    @Option(help: "Seconds of load per mode.") var seconds = 5.0

    func run() async throws {
        // Logins and probes on clients of their own: a client's connection limit per host would
        // otherwise make the probes wait behind the logins before they reach the gateway.
        var loginConfiguration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        loginConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = concurrency
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: loginConfiguration)
        let probe = HTTPClient(eventLoopGroupProvider: .singleton)
        print("GET /health latency while \(concurrency) buyers log in at once, \(ProcessInfo.processInfo.activeProcessorCount) cores:")
        for inline in [true, false] {
            let (gateway, demo, directory) = try await openBenchGateway(passwordKDFInline: inline)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let port = Mutex<Int?>(nil)
            let app = buildApplication(gateway: gateway, logger: benchLogger, onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } })
            let server = Task { try await app.runService(gracefulShutdownSignals: []) }
            while port.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(20)) }
            let base = "http://127.0.0.1:\(port.withLock { $0 }!)"
            let buyer = try require(demo.people.first)

            let idle = try await healthLatencies(probe, base: base, for: .seconds(2))
            let logins = Counter()
            let busy = try await withThrowingTaskGroup(of: [Double].self) { group in
                let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
                for _ in 0..<concurrency {
                    group.addTask {
                        while ContinuousClock.now < deadline {
                            var request = HTTPClientRequest(url: base + "/buyer")
                            request.method = .POST
                            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                            request.body = .bytes(ByteBuffer(string: "account=\(buyer.logonId)&password=\(buyer.password)"))
                            let response = try await http.execute(request, timeout: .seconds(60))
                            _ = try await response.body.collect(upTo: 1 << 20)
                            if response.status == .seeOther { logins.value.add(1, ordering: .relaxed) }
                        }
                        return []
                    }
                }
                group.addTask { try await healthLatencies(probe, base: base, for: .milliseconds(Int64(seconds * 1000))) }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            let mode = inline ? "KDF on the request's thread (before)" : "KDF on its own threads (after) "
            let loginRate = Double(logins.value.load(ordering: .relaxed)) / seconds
            print(String(format: "  %@: idle p50 %.2f ms | during logins p50 %.2f ms (%.0fx idle) p99 %.2f ms (%.0fx idle) | %.0f logins/s",
                         mode, percentile(idle, 0.5), percentile(busy, 0.5), percentile(busy, 0.5) / percentile(idle, 0.5),
                         percentile(busy, 0.99), percentile(busy, 0.99) / percentile(idle, 0.99), loginRate))
            server.cancel()
            try await gateway.store.close()
        }
        try await http.shutdown()
        try await probe.shutdown()
    }

    /// One /health request after another for `duration`; the latency of each, in milliseconds.
    func healthLatencies(_ http: HTTPClient, base: String, for duration: Duration) async throws -> [Double] {
        var latencies: [Double] = []
        let deadline = ContinuousClock.now + duration
        while ContinuousClock.now < deadline {
            let sent = ContinuousClock.now
            let response = try await http.execute(HTTPClientRequest(url: base + "/health"), timeout: .seconds(60))
            _ = try await response.body.collect(upTo: 1 << 16)
            latencies.append(milliseconds(ContinuousClock.now - sent))
            try await Task.sleep(for: .milliseconds(5))
        }
        return latencies.sorted()
    }

    func percentile(_ sorted: [Double], _ p: Double) -> Double {
        let values = sorted.sorted()
        return values.isEmpty ? 0 : values[min(values.count - 1, Int(Double(values.count) * p))]
    }
}
