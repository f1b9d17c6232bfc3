import ArgumentParser
import CZhifuBench
import Crypto
import Foundation
import _CryptoExtras
import ZhifuCore
import ZhifuProtocol
import ZhifuStorePostgres
import ZhifuStoreSQLite

@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zhifu-bench",
        abstract: "Measured figures, each printed against a reference measured in the same run.",
        subcommands: [CryptoBench.self, LedgerBench.self, BatchBench.self, NotifyBench.self, PayBench.self, RSSBench.self, LoginsBench.self, ReliabilityRun.self])
}

/// Runs `body` repeatedly on this thread for about `seconds`; returns operations per second.
func rate(seconds: Double, _ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    var count = 0
    var elapsed = Duration.zero
    repeat {
        for _ in 0..<16 { try body() }
        count += 16
        elapsed = clock.now - start
    } while elapsed < .milliseconds(Int64(seconds * 1000))
    let (s, attoseconds) = elapsed.components
    return Double(count) / (Double(s) + Double(attoseconds) / 1e18)
}

func format(_ value: Double) -> String { String(format: "%10.0f", value) }

/// `zhifu bench crypto`: sign/s and verify/s per core for every sign type, against
/// `openssl speed rsa2048 dsa2048` run in the same process tree.
struct CryptoBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "crypto")
    @Option(help: "Seconds per measurement.") var seconds = 2.0

    func run() throws {
        print("Reference: openssl speed -seconds \(Int(seconds.rounded(.up))) rsa2048 dsa2048 (one core)")
        let reference = try OpenSSLSpeed.measure(seconds: Int(seconds.rounded(.up)))
        print(String(format: "  openssl rsa2048  sign/s %10.0f  verify/s %10.0f", reference.rsaSign, reference.rsaVerify))
        print(String(format: "  openssl dsa2048  sign/s %10.0f  verify/s %10.0f", reference.dsaSign, reference.dsaVerify))

        // A realistic sign string: the seed 000 request, about 400 bytes.
        let content = Array(("_input_charset=utf-8&account_name=毛毛&batch_fee=20000&batch_no=20080107001&batch_num=1000"
            + "&buyer_account_name=maomao@alipay.com&detail_data=0315006^testture0002@126.com^常炜买家^20.00^hello"
            + "&email=biz_932@alitest.com&notify_url=http://www.test.com/notify/alipay/interface.htm"
            + "&partner=2088002464631181&pay_date=20080107&service=batch_trans_notify").utf8)
        let rsaKey = try PrivateKey.generate(.rsa, bits: 2048)
        let dsaKey = try PrivateKey.generate(.dsa, bits: 2048)
        let md5 = MD5Signer(key: SecureRandom.alphanumeric(32))
        let rsa = try RSASigner(key: rsaKey, signType: .rsa)
        let rsa2 = try RSASigner(key: rsaKey, signType: .rsa2)
        let dsa = try DSASigner(key: dsaKey)
        let rsaVerifier = try RSAVerifier(key: rsaKey.publicKey, signType: .rsa)
        let rsa2Verifier = try RSAVerifier(key: rsaKey.publicKey, signType: .rsa2)
        let dsaVerifier = try DSAVerifier(key: dsaKey.publicKey)

        print("\nZhifu (ZhifuProtocol signers, system OpenSSL), one core, \(content.count)-byte sign string")
        print("  type        sign/s   verify/s   sign vs openssl   verify vs openssl")
        let md5Signature = md5.sign(content)
        let md5Sign = rate(seconds: seconds) { _ = md5.sign(content) }
        let md5Verify = rate(seconds: seconds) { _ = md5.isValidSignature(md5Signature, for: content) }
        print("  MD5   \(format(md5Sign)) \(format(md5Verify))   (no openssl reference: a digest, not a key operation)")
        for (name, signer, verifier, refSign, refVerify) in [
            ("RSA ", rsa as any Signer, rsaVerifier as any Verifier, reference.rsaSign, reference.rsaVerify),
            ("RSA2", rsa2, rsa2Verifier, reference.rsaSign, reference.rsaVerify),
            ("DSA ", dsa, dsaVerifier, reference.dsaSign, reference.dsaVerify),
        ] {
            let signature = try signer.sign(content)
            guard verifier.isValidSignature(signature, for: content) else { throw ValidationError("\(name) self-check failed") }
            let signRate = try rate(seconds: seconds) { _ = try signer.sign(content) }
            let verifyRate = rate(seconds: seconds) { _ = verifier.isValidSignature(signature, for: content) }
            print("  \(name)  \(format(signRate)) \(format(verifyRate))   \(String(format: "%5.2fx", signRate / refSign))            \(String(format: "%5.2fx", verifyRate / refVerify))")
        }

        try interleavedVerify(rsaKey: rsaKey, content: content, verifiers: [("RSA ", rsa, rsaVerifier), ("RSA2", rsa2, rsa2Verifier)])

        // Why RSA goes through the system OpenSSL: swift-crypto's BoringSSL on the same key size.
        let boring = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let boringRate = try rate(seconds: seconds) {
            _ = try boring.signature(for: SHA256.hash(data: content), padding: .insecurePKCS1v1_5)
        }
        print("\n  swift-crypto RSA2 sign/s \(format(boringRate))  (\(String(format: "%.2fx", boringRate / reference.rsaSign)) openssl)")
    }
}

/// Verification against `openssl speed`'s own loop run in this process (`zf_speed_rsa_verify`),
/// in alternating slices of `count` verifications each: a separate `openssl speed` meets the
/// machine at another moment, and on these VMs its figure moves by ±10 % between runs.
func interleavedVerify(rsaKey: PrivateKey, content: [UInt8], verifiers: [(String, any Signer, any Verifier)], slices: Int = 15, count: Int = 3000) throws {
    let der = rsaKey.derRepresentation
    print("\n  verify/s against openssl speed's loop in this process, \(slices) alternating slices of \(count):")
    for (name, signer, verifier) in verifiers {
        let signature = try signer.sign(content)
        var ratios: [Double] = [], ours: [Double] = [], theirs: [Double] = []
        for _ in 0..<slices {
            var seconds = 0.0
            guard der.withUnsafeBufferPointer({ zf_speed_rsa_verify($0.baseAddress, $0.count, count, &seconds) }) == count else {
                throw ValidationError("reference loop failed")
            }
            theirs.append(Double(count) / seconds)
            let start = ContinuousClock.now
            for _ in 0..<count where !verifier.isValidSignature(signature, for: content) { throw ValidationError("\(name) self-check failed") }
            ours.append(Double(count) / (milliseconds(ContinuousClock.now - start) / 1000))
            ratios.append(ours.last! / theirs.last!)
        }
        print(String(format: "  %@  Zhifu %8.0f  openssl loop %8.0f  → %.2fx median of slices (min %.2fx, max %.2fx; goal ≥ 0.9x)",
                     name, median(ours), median(theirs), median(ratios), ratios.min()!, ratios.max()!))
    }
}

/// Runs a program (found on PATH) with a clean signal mask and returns what it printed on stdout.
func runCapturing(_ arguments: [String]) throws -> String {
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var buffer = [CChar](repeating: 0, count: 1 << 16)
    let length = buffer.withUnsafeMutableBufferPointer { zf_run_capture(&argv, $0.baseAddress, $0.count) }
    guard length > 0 else { throw ValidationError("cannot run \(arguments[0])") }
    return String(decoding: buffer[..<Int(length)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// ``runCapturing(_:)`` on a thread of its own, for a program that runs while the gateway serves in
/// this process (wrk): waiting for it on a thread of Swift's cooperative pool would take that thread
/// from the gateway for the whole run, and the pool has one thread per core.
func runCapturingOnThread(_ arguments: [String]) async throws -> String {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try runCapturing(arguments) }) }.start()
    }
}

/// The machine's CPU time by kind (`/proc/stat`), to say what the hypervisor took during a run:
/// on a shared virtual machine "stolen" time is CPU the load wanted and did not get.
struct CPUTimes {
    var busy = 0, idle = 0, stolen = 0

    /// Nil where there is no `/proc/stat`.
    static func now() -> CPUTimes? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return nil }
        let ticks = line.split(separator: " ").dropFirst().compactMap { Int($0) }
        guard ticks.count >= 8 else { return nil }
        // user nice system idle iowait irq softirq steal
        return CPUTimes(busy: ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6], idle: ticks[3] + ticks[4], stolen: ticks[7])
    }

    /// "busy 61 %, idle 9 %, stolen 30 %" of the time between `start` and now.
    static func shares(since start: CPUTimes?) -> String {
        guard let start, let end = now() else { return "CPU shares unknown" }
        let busy = end.busy - start.busy, idle = end.idle - start.idle, stolen = end.stolen - start.stolen
        let total = Double(max(1, busy + idle + stolen))
        return String(format: "CPU busy %.0f %%, idle %.0f %%, stolen by the hypervisor %.0f %%",
                      Double(busy) / total * 100, Double(idle) / total * 100, Double(stolen) / total * 100)
    }
}

/// Runs `openssl speed` and reads its sign/s and verify/s columns.
enum OpenSSLSpeed {
    struct Result { var rsaSign, rsaVerify, dsaSign, dsaVerify: Double }

    static func measure(seconds: Int) throws -> Result {
        let output = try runCapturing(["openssl", "speed", "-seconds", String(seconds), "rsa2048", "dsa2048"])
        let rsa = try columns("rsa 2048 bits", in: output)
        let dsa = try columns("dsa 2048 bits", in: output)
        return Result(rsaSign: rsa.0, rsaVerify: rsa.1, dsaSign: dsa.0, dsaVerify: dsa.1)
    }

    /// RSA-2048 sign/s of `cores` processes signing at once (`openssl speed -multi`): what the
    /// cores give together, which on a shared virtual machine can be less than one core's rate × cores.
    static func rsaSignAllCores(seconds: Int, cores: Int) throws -> Double {
        let output = try runCapturing(["openssl", "speed", "-multi", String(cores), "-seconds", String(seconds), "rsa2048"])
        return try columns("rsa 2048 bits", in: output).0
    }

    private static func columns(_ prefix: String, in output: String) throws -> (Double, Double) {
            guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else {
                throw ValidationError("openssl speed printed no \(prefix) line")
            }
            let numbers = line.split(separator: " ").compactMap { Double($0) }
            guard numbers.count >= 2 else { throw ValidationError("cannot read: \(line)") }
            return (numbers[numbers.count - 2], numbers[numbers.count - 1])
    }
}

/// The ways the PostgreSQL ledger figure is taken, on one database.
enum PostgresKind: String, CaseIterable {
    case store = "PostgreSQL, zhifu_post_transfer"
    case statementwise = "PostgreSQL, statement by statement (reference)"
    case driver = "PostgreSQL, postgres-nio alone, prepared zhifu_post_transfer (reference)"
}

/// The ways the SQLite ledger figure is taken, each on its own file.
enum SQLiteKind: String, CaseIterable, Sendable {
    case store = "SQLite store (the shared SQL layer)"
    case grdb = "SQLite, GRDB directly (reference)"
}

/// `zhifu bench ledger`: posts transfers on SQLite and (with --database-url) PostgreSQL, each in
/// its own durable transaction, then audits the ledger. On SQLite the same transfers are also
/// posted through GRDB directly (``GRDBLedger``, the reference), the two alternating. (Commit
/// a1febad also measured vapor's sql-kit this way: docs/architecture.md.)
struct LedgerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ledger")
    @Option(help: "Transfers to post per run.") var transfers = 10_000
    @Option(help: "Concurrent posting tasks.") var concurrency = 8
    @Option(help: "SQLite runs of each kind (store, GRDB directly), alternating.") var rounds = 3
    @Option(help: "A scratch PostgreSQL database to measure too (postgres://…).") var databaseURL: String?

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zhifu-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var rates: [SQLiteKind: [Double]] = [:]
        for round in 0..<max(1, rounds) {
            // Each kind runs first in turn, on a fresh file migrated and funded by the store.
            let kinds = SQLiteKind.allCases
            for offset in kinds.indices {
                let kind = kinds[(offset + round) % kinds.count]
                let path = directory.appendingPathComponent("bench-\(round)-\(kind).sqlite").path
                let sqlite = try SQLiteStore(path: path)
                let accounts = try await prepare(sqlite)
                if kind == .store {
                    rates[kind, default: []].append(try await measure(name: kind.rawValue, accounts: accounts) { try await sqlite.post([$0])[0] })
                    try await check(sqlite)
                    try await sqlite.close()
                    continue
                }
                try await sqlite.close()
                let reference = try GRDBLedger(path: path)
                rates[kind, default: []].append(try await measure(name: kind.rawValue, accounts: accounts, post: reference.post))
                try reference.close()
                let reopened = try SQLiteStore(path: path)
                try await check(reopened)
                try await reopened.close()
            }
        }
        let reference = median(rates[.grdb] ?? [])
        for kind in SQLiteKind.allCases {
            let rate = median(rates[kind] ?? [])
            print(String(format: "  median of %d: %-40@ %6.0f transfers/s = %.2fx GRDB directly", rates[kind]?.count ?? 0, kind.rawValue, rate, rate / reference))
        }
        if let url = databaseURL ?? ProcessInfo.processInfo.environment["ZHIFU_DATABASE_URL"] {
            let postgres = try PostgresStore(url: url)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await postgres.database.run() }
                let accounts = try await prepare(postgres)
                // The store posts with one round trip (`zhifu_post_transfer`); the references are
                // the same transaction statement by statement, as the store posted before, and the
                // driver alone posting each transfer with the same function: the three alternating.
                var rates: [PostgresKind: [Double]] = [:]
                for round in 0..<max(1, rounds) {
                    for offset in PostgresKind.allCases.indices {
                        let kind = PostgresKind.allCases[(offset + round) % PostgresKind.allCases.count]
                        if kind == .statementwise { while try await postgres.foldCredits(limit: 1_000) == 1_000 {} }
                        rates[kind, default: []].append(try await measure(name: kind.rawValue, accounts: accounts) { transfer in
                            switch kind {
                            case .store: try await postgres.post([transfer])[0]
                            case .statementwise: try await postgres.database.write { db in try await PostgresStatementwiseLedger.post(transfer, on: db) }
                            case .driver: try await PostgresDriverPosting.post(transfer, client: postgres.database.client)
                            }
                        })
                    }
                }
                let store = median(rates[.store] ?? []), statementwise = median(rates[.statementwise] ?? []), driver = median(rates[.driver] ?? [])
                print(String(format: "  PostgreSQL: median of %d: %.0f transfers/s with zhifu_post_transfer vs %.0f statement by statement = %.2fx",
                             rates[.store]?.count ?? 0, store, statementwise, store / statementwise))
                print(String(format: "  PostgreSQL: the store vs postgres-nio alone posting with the same function (%.0f transfers/s) = %.2fx", driver, store / driver))
                try await check(postgres)
                group.cancelAll()
            }
        } else {
            print("PostgreSQL: skipped (no --database-url or ZHIFU_DATABASE_URL)")
        }
    }

    /// 100 accounts with ids unique to this run, each funded from clearing.
    func prepare(_ store: any Store) async throws -> [UserId] {
        try await store.migrate()
        _ = try await store.insertAccount(SystemAccounts.clearingAccount)
        let run = SecureRandom.alphanumeric(8)
        let prefix = "20889" + String(format: "%05d", Int.random(in: 0..<100_000))
        let accounts = (0..<100).map { UserId(prefix + String(format: "%06d", $0))! }
        for (index, id) in accounts.enumerated() {
            _ = try await store.insertAccount(Account(userId: id, logonId: "bench-\(run)-\(index)@zhifu.test", name: "bench", passwordHash: nil))
            _ = try await store.post([Transfer(id: "bench-\(run)-fund-\(index)", debit: SystemAccounts.clearing, credit: id,
                                               amount: Amount(fen: 1_000_000), code: .funding, reference: "bench", createdAt: Date())])
        }
        return accounts
    }

    func check(_ store: any Store) async throws {
        let audit = try await store.audit()
        print("  audit: \(audit)")
        guard audit.isBalanced else { throw ExitCode(1) }
    }

    /// Transfers per second, `concurrency` clients posting one transfer per transaction.
    func measure(name: String, accounts: [UserId], post: @escaping @Sendable (Transfer) async throws -> TransferResult) async throws -> Double {
        let clock = SystemClock()
        let run = SecureRandom.alphanumeric(8)
        let total = transfers
        let tasks = max(1, concurrency)
        let start = ContinuousClock.now
        let posted = try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<tasks {
                group.addTask {
                    var created = 0
                    var index = worker
                    while index < total {
                        let debit = accounts[index % 100], credit = accounts[(index * 7 + 1) % 100]
                        let transfer = Transfer(id: "bench-\(run)-\(index)", debit: debit, credit: credit == debit ? accounts[(index + 1) % 100] : credit,
                                                amount: Amount(fen: Int64(1 + index % 500)), code: .batchTrans, reference: "bench", createdAt: clock.now)
                        if try await post(transfer) == .created { created += 1 }
                        index += tasks
                    }
                    return created
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("\(name): \(posted)/\(total) transfers in \(String(format: "%.2f", seconds)) s = \(String(format: "%.0f", Double(total) / seconds)) transfers/s (\(tasks) concurrent clients, one transaction each)")
        guard posted == total else { throw ExitCode(1) }
        return Double(total) / seconds
    }
}
