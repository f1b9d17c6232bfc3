import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import Synchronization
import Hummingbird
import NIOCore
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol
import ZhifuStorePostgres
import ZhifuStoreSQLite

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

/// `zhifu bench batch`: a 1000-record `batch_trans_notify` batch from the password submit to all
/// postings committed, on an SQLite file, against the ledger's own floor (1000 transfers in one
/// `Store.post`) measured in the same run.
struct BatchBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "batch")
    @Option(help: "Batches to time.") var runs = 10

    func run() async throws {
        let (gateway, demo, directory) = try await openBenchGateway()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = gateway.configuration
        let merchant = try require(try await gateway.store.merchant(partner: demo.merchant.userId))
        let payee = demo.people[2]
        let service = gateway.batchTrans
        var totals: [Double] = [], passwords: [Double] = [], floors: [Double] = [], reads: [Double] = []
        for run in 0..<runs {
            let details = (0..<1000).map { "\($0)^\(payee.logonId)^\(payee.name)^0.01^bench" }.joined(separator: "|")
            let params = Parameters([("account_name", demo.merchant.name), ("detail_data", details), ("batch_no", "bench\(run)\(SecureRandom.alphanumeric(10))"),
                                     ("batch_num", "1000"), ("batch_fee", "10.00"), ("pay_date", configuration.calendar.day(gateway.clock.now)),
                                     ("email", demo.merchant.logonId)])
            let batch = try await service.submit(try BatchTransNotify.command(params), partner: merchant.partner, signType: .md5, charset: .utf8)
            let start = ContinuousClock.now
            let outcome = try await service.confirm(token: batch.token, logonId: demo.merchant.logonId, password: demo.merchant.password, batchId: batch.id)
            totals.append(milliseconds(ContinuousClock.now - start))
            guard case .paid(let paid) = outcome, paid.details.allSatisfy({ $0.status == .success }) else { throw ValidationError("batch not paid: \(outcome)") }

            let readStart = ContinuousClock.now
            _ = try await gateway.store.batch(id: batch.id)
            reads.append(milliseconds(ContinuousClock.now - readStart))

            let account = try require(try await gateway.store.account(logonId: demo.merchant.logonId))
            let kdfStart = ContinuousClock.now
            _ = PaymentPassword.verify(demo.merchant.password, against: account.passwordHash!)
            passwords.append(milliseconds(ContinuousClock.now - kdfStart))

            let transfers = (0..<1000).map { Transfer(id: "floor-\(run)-\($0)-\(batch.id)", debit: demo.merchant.userId, credit: payee.userId,
                                                      amount: Amount(fen: 1), code: .batchTrans, reference: "floor", createdAt: gateway.clock.now) }
            let floorStart = ContinuousClock.now
            _ = try await gateway.store.post(transfers)
            floors.append(milliseconds(ContinuousClock.now - floorStart))
        }
        let audit = try await gateway.store.audit()
        print("1000-record batch_trans_notify on SQLite (WAL, synchronous=FULL), median of \(runs):")
        print(String(format: "  password submit → all postings committed  %7.1f ms", median(totals)))
        print(String(format: "    of which the payment-password KDF       %7.1f ms (PBKDF2-SHA256, %d rounds)", median(passwords), PaymentPassword.defaultIterations))
        print(String(format: "    the rest (plan + one transaction)       %7.1f ms", median(totals) - median(passwords)))
        print(String(format: "    reading the 1000-record batch once        %7.1f ms (confirm reads it to check the token and plan)", median(reads)))
        print(String(format: "  reference: 1000 transfers in one Store.post %6.1f ms  → batch costs %.2fx the ledger floor", median(floors), median(totals) / median(floors)))
        // Issue 17's figure: planning and the one transaction (each run's total less its own KDF)
        // against the same run's 1000 bare postings.
        let ratios = (0..<runs).map { (totals[$0] - passwords[$0]) / floors[$0] }
        print(String(format: "  plan + transaction / bare postings, per run: median %.2fx (min %.2fx, max %.2fx; goal ≤ 1.25x)",
                     median(ratios), ratios.min() ?? 0, ratios.max() ?? 0))
        print("  audit: \(audit)")
        try await gateway.store.close()
    }
}

extension Optional {
    func orThrow(_ message: String) throws -> Wrapped {
        guard let self else { throw ValidationError(message) }
        return self
    }
}

func require<T>(_ value: T?, _ message: String = "missing value") throws -> T { try value.orThrow(message) }

/// The benchmarks' gateways log warnings and errors only: a line per request would be measured too.
let benchLogger: Logger = {
    var logger = Logger(label: "zhifu.bench")
    logger.logLevel = .warning
    return logger
}()

/// A gateway on a fresh SQLite file in a temporary directory, or on the PostgreSQL database at
/// `databaseURL` (its pool running for the rest of the process), with demo data: what the gateway
/// benchmarks run on. The caller removes the directory.
func openBenchGateway(passwordKDFInline: Bool = false, databaseURL: String? = nil) async throws -> (Gateway, DemoData, directory: String) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zhifu-bench-\(UUID().uuidString)").path
    var configuration = GatewayConfiguration()
    configuration.dataDirectory = directory
    configuration.port = 0
    configuration.passwordKDFInline = passwordKDFInline
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let store: any Store
    if let databaseURL {
        let postgres = try PostgresStore(url: databaseURL, logger: benchLogger)
        Task { try await postgres.database.run() }
        // The folder `zhifu serve` runs beside the store: its work is part of a payment's cost.
        Task { try await CreditFolder(store: postgres, logger: benchLogger).run() }
        store = postgres
    } else {
        store = try SQLiteStore(path: directory + "/zhifu.sqlite")
    }
    let gateway = try await Gateway.open(configuration, store: store)
    return (gateway, try require(gateway.demo), directory)
}

/// `zhifu bench notify`: notifications delivered per second to a local sink that answers
/// `success`, against the same HTTP client posting bare forms to the same sink in the same run.
struct NotifyBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "notify")
    @Option(help: "Notifications to deliver, in all.") var count = 20_000
    @Option(help: "Alternating slices of notifier and reference, each count/slices requests.") var slices = 4
    @Option(help: "mixed (half MD5, half RSA), MD5 or RSA.") var signType = "mixed"
    @Option(help: "A scratch PostgreSQL database for the outbox (postgres://…); SQLite when absent.") var databaseURL: String?

    func run() async throws {
        let router = Router()
        router.post("/notify") { _, _ in "success" }
        let port = Mutex<Int?>(nil)
        let sinkWithPort = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                       onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } })
        let task = Task { try await sinkWithPort.runService(gracefulShutdownSignals: []) }
        while port.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(20)) }
        let url = "http://127.0.0.1:\(port.withLock { $0 }!)/notify"

        let (gateway, demo, directory) = try await openBenchGateway(databaseURL: databaseURL)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        let notifier = Notifier(gateway: gateway)
        let perSlice = max(1, count / slices)
        var rates: [Double] = [], referenceRates: [Double] = [], acknowledged = 0
        // The two alternate so that both meet the same moments of a noisy machine; the slice's
        // notifications are stored before its clock starts.
        for slice in 0..<slices {
            let now = gateway.clock.now
            let notifications = (0..<perSlice).map { n in
                OutboxNotification(notifyId: Hex.lowercase(SecureRandom.bytes(16)), partner: demo.merchant.userId, notifyURL: url,
                                   notifyType: "batch_trans_notify", protocol: .mapi, signType: signType == "MD5" || (signType == "mixed" && n % 2 == 0) ? .md5 : .rsa, charset: .utf8,
                                   parameters: Parameters([("batch_no", "bench\(slice)-\(n)"), ("pay_user_name", "毛毛"),
                                                           ("success_details", "0315001^gonglei1@handsome.com.cn^龚本林^20.00^S^null^200810248427067^20081024143652|")]),
                                   nextAttemptAt: now, createdAt: now)
            }
            // A thousand per transaction: one transaction of a whole slice can outrun the store's
            // 30 s unit deadline on PostgreSQL when the machine is slow.
            for start in stride(from: 0, to: notifications.count, by: 1000) {
                try await gateway.store.insertNotifications(Array(notifications[start..<min(start + 1000, notifications.count)]))
            }

            // Reference: the same client, the same concurrency, bare forms, no store, no signing.
            let body = FormCoding.encode(notifications[0].parameters, charset: .utf8)!
            let referenceStart = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<64 {
                    group.addTask {
                        for _ in stride(from: worker, to: perSlice, by: 64) {
                            var request = HTTPClientRequest(url: url)
                            request.method = .POST
                            request.body = .bytes(ByteBuffer(string: body))
                            let response = try await http.execute(request, timeout: .seconds(15))
                            _ = try await response.body.collect(upTo: 1024)
                        }
                    }
                }
                try await group.waitForAll()
            }
            referenceRates.append(Double(perSlice) / (milliseconds(ContinuousClock.now - referenceStart) / 1000))

            // What `zhifu serve` runs, stopping once nothing is due or in flight.
            let start = ContinuousClock.now
            let delivered = await notifier.deliverContinuously(http, untilIdle: true)
            rates.append(Double(delivered) / (milliseconds(ContinuousClock.now - start) / 1000))
            for notification in notifications where try await gateway.store.notification(notifyId: notification.notifyId)?.status == .acknowledged {
                acknowledged += 1
            }
        }
        let ratios = zip(rates, referenceRates).map { $0 / $1 }
        print("Notifications to a local sink answering success (signed: \(signType), outbox on \(databaseURL == nil ? "SQLite" : "PostgreSQL")), \(slices) slices of \(perSlice), alternating with the reference:")
        print(String(format: "  notifier: %8.0f notifications/s, median of slices  (%d of %d acknowledged)", median(rates), acknowledged, perSlice * slices))
        print(String(format: "  reference: bare POSTs, same client and concurrency: %8.0f requests/s, median of slices", median(referenceRates)))
        print(String(format: "  notifier / reference per slice: median %.2fx (min %.2fx, max %.2fx; goal ≥ 0.8x)", median(ratios), ratios.min()!, ratios.max()!))
        try await http.shutdown()
        task.cancel()
        try await gateway.store.close()
    }
}
