import AsyncHTTPClient
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Hummingbird
import Logging
import NIOCore
import Synchronization
import ZhifuProtocol
import ZhifuTesting

/// One `zhifu serve` process of the reliability run: started, killed with SIGKILL and started
/// again by the run, never by itself. An exit the run did not cause is counted as a crash.
/// Spawned and reaped with posix_spawn and waitpid (see `shell`).
final class Node: @unchecked Sendable {
    let index: Int
    let port: Int
    let arguments: [String]
    private let lock = NSLock()
    private var pid: pid_t?
    private var killedByRun = false
    private(set) var crashes = 0

    /// `zhifu` is built beside `zhifu-bench` (`swift build` builds both).
    static var binary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("zhifu").path
    }

    init(index: Int, arguments: [String]) throws {
        self.index = index
        port = try ZhifuSandbox.freePort()
        self.arguments = ["serve", "--port", String(port)] + arguments
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }
    /// Where the node's output goes (appended across restarts), beside its data directory.
    var logPath: String { NSTemporaryDirectory() + "zhifu-reliability-node-\(port).log" }

    func start() throws {
        let child = try spawn([Self.binary] + arguments, output: logPath)
        lock.withLock { pid = child; killedByRun = false }
        // The reaper: notes how the process ended, and whether the run had asked it to.
        Thread.detachNewThread {
            var status: Int32 = 0
            while waitpid(child, &status, 0) == -1 && errno == EINTR {}
            self.lock.withLock {
                if self.pid == child { self.pid = nil }
                if !self.killedByRun && status != 0 { self.crashes += 1 }
            }
        }
    }

    var isRunning: Bool { lock.withLock { pid != nil } }

    /// kill -9, as a power cut or the OOM killer would.
    func kill() { signal(SIGKILL) }

    /// SIGTERM: the graceful stop.
    func stop() { signal(SIGTERM) }

    /// Whether every SIGTERM ended the node within 30 s (else it was killed).
    private(set) var stoppedGracefully = true

    private func signal(_ number: Int32) {
        guard let running = lock.withLock({ () -> pid_t? in killedByRun = true; return pid }) else { return }
        Glibc.kill(running, number)
        for _ in 0..<600 where isRunning { usleep(50_000) }
        if isRunning {
            stoppedGracefully = false
            Glibc.kill(running, SIGKILL)
            for _ in 0..<100 where isRunning { usleep(50_000) }
        }
    }

    /// Resident set size in KiB, from /proc.
    var residentKiB: Int? {
        guard let pid = lock.withLock({ pid }),
              let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }

    func waitUntilHealthy(_ http: HTTPClient, seconds: Int = 120) async throws {
        for _ in 0..<(seconds * 10) {
            if let response = try? await http.execute(HTTPClientRequest(url: baseURL + "/health"), timeout: .seconds(1)), response.status == .ok { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ReliabilityFailure("node \(index) did not become healthy in \(seconds) s")
    }
}

struct ReliabilityFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The merchant's notify_url: answers `success`, or HTTP 500 while it is "down"; remembers every
/// notification by notify_id and every trade it was told was paid.
final class NotifyEndpoint: Sendable {
    struct Received {
        var tries: [String: Int] = [:]
        var paidTrades: Set<String> = []
        var refusedWhileDown = 0
        /// The notify_id seen for each out_trade_no, down or up: what to look up when one is lost.
        var notifyIds: [String: String] = [:]
    }
    let received = Mutex(Received())
    let down = Atomic<Bool>(false)
    private let port = Mutex<Int?>(nil)
    private let task = Mutex<Task<Void, any Error>?>(nil)

    /// Cancelling the endpoint at the end makes Hummingbird log the cancellation as an error: not news.
    static let quietLogger: Logger = {
        var logger = Logger(label: "zhifu.reliability.sink")
        logger.logLevel = .critical
        return logger
    }()

    var url: String { "http://127.0.0.1:\(port.withLock { $0 } ?? 0)/notify" }

    func start() async throws {
        let router = Router()
        router.post("/notify") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let (form, _) = try FormCoding.decode(query: [UInt8](), body: Array(body.readableBytesView))
            if let outTradeNo = form["out_trade_no"], let id = form["notify_id"] {
                self.received.withLock { $0.notifyIds[outTradeNo] = id }
            }
            if self.down.load(ordering: .relaxed) {
                self.received.withLock { $0.refusedWhileDown += 1 }
                return Response(status: .internalServerError, body: .init(byteBuffer: ByteBuffer(string: "down")))
            }
            self.received.withLock { state in
                if let id = form["notify_id"] { state.tries[id, default: 0] += 1 }
                if form["trade_status"] == "TRADE_SUCCESS", let outTradeNo = form["out_trade_no"] { state.paidTrades.insert(outTradeNo) }
            }
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "success")))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in self.port.withLock { $0 = channel.localAddress?.port } },
                              logger: Self.quietLogger)
        task.withLock { $0 = Task { try await app.runService(gracefulShutdownSignals: []) } }
        while port.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(20)) }
    }

    func stop() { task.withLock { $0?.cancel() } }
}

/// Latencies and outcomes of the requests the load sent.
struct LoadFigures {
    var acknowledged: [String] = []
    /// Answered, but not 10000 (20000 while the database restarts, say): the merchant retries.
    var refused: [String] = []
    /// No answer at all (the node was killed): the merchant does not know.
    var unanswered: [String] = []
    var codesNotIssued = 0
    var latencies: [Double] = []
    var last: PayClient.Outcome?

    mutating func merge(_ other: LoadFigures) {
        acknowledged += other.acknowledged; refused += other.refused; unanswered += other.unanswered
        codesNotIssued += other.codesNotIssued; latencies += other.latencies
    }

    func percentile(_ p: Double) -> Double {
        let sorted = latencies.sorted()
        return sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }
}

/// `sh -c command`; its exit status (-1 when it could not start). posix_spawn and waitpid, not
/// Foundation's Process: under a busy process tree its waitUntilExit was seen to miss the exit.
@discardableResult
func shell(_ command: String) -> Int32 {
    guard let pid = try? spawn(["/bin/sh", "-c", command], output: nil) else { return -1 }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 {
        guard errno == EINTR else { return -1 }
    }
    return status & 0x7f == 0 ? (status >> 8) & 0xff : -1
}

/// Starts `words[0]` with the rest as arguments and this environment; stdout and stderr appended
/// to `output` when given.
func spawn(_ words: [String], output: String?) throws -> pid_t {
    var pid: pid_t = 0
    var arguments: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
    defer { for argument in arguments { free(argument) } }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    if let output {
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
    }
    // An empty signal mask and default handlers: the child must hear SIGTERM even when the
    // thread that spawns it has signals blocked (Dispatch's threads do).
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var none = sigset_t(), defaults = sigset_t()
    sigemptyset(&none)
    sigemptyset(&defaults)
    for number in [SIGTERM, SIGINT, SIGHUP, SIGPIPE] { sigaddset(&defaults, number) }
    posix_spawnattr_setsigmask(&attributes, &none)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    closeOnExec()
    let result = posix_spawn(&pid, words[0], &actions, &attributes, &arguments, environ)
    guard result == 0 else { throw ReliabilityFailure("cannot start \(words[0]): error \(result)") }
    return pid
}

/// Prints a line at once, also into a file or a pipe (a run cut short keeps what it printed).
func line(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

/// Marks every descriptor above stderr close-on-exec. Without it a child inherits the run's own
/// sockets (its PostgreSQL connections, the sink's listener): a restarted database server held the
/// run's old client connections open.
private func closeOnExec() {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
    for case let fd? in entries.map({ Int32($0) }) where fd > 2 {
        let flags = fcntl(fd, F_GETFD)
        if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
    }
}
