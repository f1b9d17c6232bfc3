import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol
import ZhifuStorePostgres
import ZhifuStoreSQLite

/// `zhifu-bench reliability`: `zhifu serve` nodes under `alipay.trade.pay` load while faults are
/// injected — kill -9 of a node, a PostgreSQL restart, the notify endpoint down for an hour of
/// gateway time — then the proof: no acknowledged payment lost, every paid trade notified, nothing
/// half-done, the ledger balanced, no node crashed. Optionally an SQLite node on a small tmpfs
/// that fills up (`--disk-full`). Bounded: it stops by itself after `--seconds` of load.
struct ReliabilityRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reliability")
    @Option(help: "Seconds of load.") var seconds = 60
    @Option(help: "Gateway nodes (with --database-url; SQLite runs one).") var nodes = 3
    @Option(help: "Requests in flight at once.") var concurrency = 8
    @Option(help: "PostgreSQL to run on (postgres://…); an SQLite file when absent.") var databaseURL: String?
    @Option(help: "A shell command that restarts that PostgreSQL, run once during the load.") var restartPostgres: String?
    @Flag(help: "Also fill the disk under an SQLite node (a small tmpfs; needs root).") var diskFull = false

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zhifu-reliability-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        var failures: [String] = []
        do {
            if diskFull { failures += try await DiskFullPhase(directory: directory + "/diskfull", http: http).run() }
            failures += try await loadPhase(directory: directory, http: http)
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
        guard failures.isEmpty else { throw ReliabilityFailure("FAILED: " + failures.joined(separator: "; ")) }
        line("reliability: passed")
    }

    func loadPhase(directory: String, http: HTTPClient) async throws -> [String] {
        let sink = NotifyEndpoint()
        try await sink.start()
        defer { sink.stop() }
        let storeArguments = databaseURL.map { ["--database-url", $0] } ?? []
        let count = databaseURL == nil ? 1 : max(1, nodes)
        let nodes = try (0..<count).map { try Node(index: $0, arguments: ["--data-dir", "\(directory)/node\($0)", "--clock", "manual"] + storeArguments) }
        defer { for node in nodes where node.isRunning { node.stop() } }
        // The first node creates the demo data (and its key files); the others join it.
        try nodes[0].start()
        try await nodes[0].waitUntilHealthy(http)
        for node in nodes.dropFirst() { try node.start() }
        for node in nodes { try await node.waitUntilHealthy(http) }
        let client = try PayClient(keyFile: "\(directory)/node0/keys/app_private.pem", notifyURL: sink.url, http: http)

        return try await withStore(sqlitePath: "\(directory)/node0/zhifu.sqlite") { store in
            let residentAtStart = nodes.map { $0.residentKiB ?? 0 }
            let faults = FaultSchedule(seconds: seconds, nodes: nodes, sink: sink, http: http, restartPostgres: restartPostgres)
            line("load: \(count) node(s) healthy; \(seconds) s of alipay.trade.pay starting")
            let faultTask = Task { await faults.run() }
            let figures = await client.load(seconds: seconds, concurrency: concurrency, nodes: nodes, store: store)
            _ = await faultTask.value

            line("load: over; waiting for every node and every notification")
            // Everything back up; a retry due within two hours of gateway time is made now.
            sink.down.store(false, ordering: .relaxed)
            for node in nodes { try await node.waitUntilHealthy(http) }
            try await client.advanceClock(nodes[0], seconds: 7_200)
            let verdict = try await Verdict.check(figures, store: store, sink: sink) { try await client.advanceClock(nodes[0], seconds: $0) }
            let residentAtEnd = nodes.map { $0.residentKiB ?? 0 }

            let storeName = databaseURL == nil ? "SQLite (WAL, synchronous=FULL)" : "PostgreSQL"
            line("Reliability under load: \(count) node(s) on \(storeName), \(concurrency) requests in flight, \(seconds) s of alipay.trade.pay")
            line(String(format: "  held:  %.0f acknowledged payments/s, p50 %.1f ms, p99 %.1f ms", Double(figures.acknowledged.count) / Double(seconds),
                         figures.percentile(0.5), figures.percentile(0.99)))
            line("  sent:  \(figures.acknowledged.count) acknowledged, \(figures.refused.count) refused with an error answer, "
                  + "\(figures.unanswered.count) unanswered (node killed), \(figures.codesNotIssued) payment codes not issued (database down)")
            for node in nodes {
                line("  node \(node.index): RSS \(residentAtStart[node.index] / 1024) MiB at start → \(residentAtEnd[node.index] / 1024) MiB at end, crashes \(node.crashes)")
            }
            verdict.report()
            var failures = verdict.failures
            for node in nodes { node.stop() }
            let graceful = nodes.filter(\.stoppedGracefully).count
            line("  stop:  \(graceful) of \(nodes.count) node(s) exited on SIGTERM within 30 s")
            if graceful < nodes.count { failures.append("\(nodes.count - graceful) node(s) did not stop on SIGTERM") }
            let crashes = nodes.map(\.crashes).reduce(0, +)
            if crashes > 0 { failures.append("\(crashes) node crashes") }
            return failures
        }
    }

    /// The store the nodes share, opened by the run to issue payment codes and to check the outcome.
    func withStore<T>(sqlitePath: String, _ body: (any Store) async throws -> T) async throws -> T {
        guard let databaseURL else {
            let store = try SQLiteStore(path: sqlitePath)
            defer { Task { try? await store.close() } }
            return try await body(store)
        }
        let store = try PostgresStore(url: databaseURL, logger: benchLogger)
        let service = Task { try await store.database.run() }
        defer { service.cancel() }
        return try await body(store)
    }
}

/// The faults of one run, each at a random instant of the load, printed as they happen.
struct FaultSchedule {
    let seconds: Int
    let nodes: [Node]
    let sink: NotifyEndpoint
    let http: HTTPClient
    let restartPostgres: String?

    func run() async -> [String] {
        var log: [String] = []
        func note(_ text: String) {
            line("  fault: " + text)
            log.append(text)
        }
        let start = ContinuousClock.now
        func at(_ fraction: Double) async {
            try? await Task.sleep(until: start + .milliseconds(Int64(Double(seconds) * 1000 * fraction)))
        }
        func now() -> String { String(format: "t=%.1fs", milliseconds(ContinuousClock.now - start) / 1000) }
        // The merchant's endpoint down while an hour of gateway time passes (retries at 4, 14, 24 min fail).
        await at(0.1)
        sink.down.store(true, ordering: .relaxed)
        note("\(now()) notify endpoint down")
        for _ in 0..<6 {
            try? await Task.sleep(for: .seconds(Double(seconds) * 0.03))
            _ = try? await PayClient.advanceClock(nodes[0], seconds: 600, http: http)
        }
        sink.down.store(false, ordering: .relaxed)
        note("\(now()) notify endpoint up after 60 min of gateway time, \(sink.received.withLock { $0.refusedWhileDown }) tries refused")
        // kill -9 of a random node, restarted a second later.
        await at(Double.random(in: 0.35...0.55))
        let victim = nodes.randomElement()!
        victim.kill()
        note("\(now()) node \(victim.index) killed (SIGKILL)")
        try? await Task.sleep(for: .seconds(1))
        do {
            try victim.start()
            try await victim.waitUntilHealthy(http)
            note("\(now()) node \(victim.index) restarted and healthy")
        } catch {
            note("\(now()) node \(victim.index) did not restart: \(error)")
        }
        if let restartPostgres {
            await at(Double.random(in: 0.65...0.8))
            note("\(now()) PostgreSQL restarting")
            let status = shell(restartPostgres)
            note("\(now()) PostgreSQL restarted (exit \(status))")
        }
        return log
    }
}

/// What the store and the notify endpoint hold once the load is over and every retry was due.
struct Verdict {
    var lostPayments = 0
    var paidWithoutAnswer = 0
    var halfDone = 0
    var notificationsLost = 0
    var duplicateDeliveries = 0
    var audit: LedgerAudit?
    var failures: [String] = []

    static func check(_ figures: LoadFigures, store: any Store, sink: NotifyEndpoint, advance: (Int) async throws -> Void) async throws -> Verdict {
        var verdict = Verdict()
        let partner = DemoData.merchantPartner
        var paid: Set<String> = []
        for outTradeNo in figures.acknowledged {
            guard let trade = try await store.trade(partner: partner, outTradeNo: outTradeNo), trade.status == .tradeSuccess,
                  try await store.transfers(reference: trade.tradeNo).count == 1 else { verdict.lostPayments += 1; continue }
            paid.insert(outTradeNo)
        }
        // A request without a good answer either did nothing or paid completely (the merchant's query finds it).
        for outTradeNo in figures.refused + figures.unanswered {
            guard let trade = try await store.trade(partner: partner, outTradeNo: outTradeNo) else { continue }
            let transfers = try await store.transfers(reference: trade.tradeNo).count
            if trade.status == .tradeSuccess && transfers == 1 {
                verdict.paidWithoutAnswer += 1
                paid.insert(outTradeNo)
            } else if transfers != 0 {
                verdict.halfDone += 1
            }
        }
        // Time goes on meanwhile (two minutes of gateway time a second): a lease held by a node
        // that was killed, or whose result could not be recorded while the database restarted, ends.
        for tick in 0..<600 where !paid.isSubset(of: sink.received.withLock { $0.paidTrades }) {
            try await Task.sleep(for: .milliseconds(100))
            if tick % 10 == 9 { try? await advance(120) }
        }
        let received = sink.received.withLock { $0 }
        let lost = paid.subtracting(received.paidTrades)
        verdict.notificationsLost = lost.count
        for outTradeNo in lost.sorted().prefix(5) {
            verdict.failures.append(try await lostNotification(outTradeNo, notifyId: received.notifyIds[outTradeNo], store: store))
        }
        verdict.duplicateDeliveries = received.tries.values.filter { $0 > 1 }.count
        let audit = try await store.audit()
        verdict.audit = audit
        if verdict.lostPayments > 0 { verdict.failures.append("\(verdict.lostPayments) acknowledged payments lost") }
        if verdict.halfDone > 0 { verdict.failures.append("\(verdict.halfDone) trades half-done") }
        if verdict.notificationsLost > 0 { verdict.failures.append("\(verdict.notificationsLost) notifications lost") }
        if !audit.isBalanced { verdict.failures.append("ledger not balanced") }
        return verdict
    }

    /// What the outbox says of a notification the endpoint never acknowledged.
    static func lostNotification(_ outTradeNo: String, notifyId: String?, store: any Store) async throws -> String {
        guard let notifyId else { return "notification of \(outTradeNo) never reached the endpoint" }
        guard let notification = try await store.notification(notifyId: notifyId) else { return "notification \(notifyId) not in the outbox" }
        let attempts = try await store.notificationAttempts(notifyId: notifyId)
        let tries = attempts.map { "\($0.attemptedAt): \($0.httpStatus.map(String.init) ?? $0.error ?? "-")" }.joined(separator: "; ")
        return "notification of \(outTradeNo) (\(notifyId)): \(notification.status) after \(notification.attempts) tries, "
            + "next at \(notification.nextAttemptAt); tries: \(tries)"
    }

    func report() {
        line("  lost:  \(lostPayments) acknowledged payments, \(notificationsLost) notifications; \(halfDone) trades half-done")
        line("  paid though the answer was lost: \(paidWithoutAnswer) (found by the merchant's trade.query); "
                    + "notifications delivered more than once (at least once, after a kill): \(duplicateDeliveries)")
        line("  audit: \(audit.map { "\($0)" } ?? "-")")
    }
}
