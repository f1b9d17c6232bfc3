import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol
import ZhifuStorePostgres
import ZhifuStoreSQLite

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the gateway (embedded SQLite by default, demo data on a first start).")

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @Option(help: "Directory for the SQLite file, key files and demo.txt.") var dataDir = "./zhifu-data"
    @Option(help: "postgres://user:password@host:port/database to use PostgreSQL instead of SQLite.") var databaseURL: String?
    @Option(help: "A fixtures JSON file to load at start (see README).") var fixtures: String?
    @Option(help: "system, or manual (time moves only via POST /sandbox/clock/advance).") var clock = "system"
    @Option(help: "Time zone of the business day: +08:00 (default), UTC, or an IANA name.") var timezone = "+08:00"
    @Option(help: "The address in URLs Zhifu hands out (qr_code); http://HOST:PORT by default.") var publicURL: String?
    @Option(help: "Days a paid trade stays refundable before TRADE_FINISHED.") var refundableDays: Int64 = 90
    @Option(help: "CNY per unit of each accepted currency, e.g. USD=7.1,HKD=0.91 (replaces the defaults).") var exchangeRates: String?

    func run() async throws {
        var configuration = GatewayConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.dataDirectory = dataDir
        configuration.databaseURL = databaseURL ?? ProcessInfo.processInfo.environment["ZHIFU_DATABASE_URL"]
        configuration.fixturesPath = fixtures
        guard let mode = GatewayConfiguration.ClockMode(rawValue: clock) else {
            throw ValidationError("--clock must be system or manual")
        }
        configuration.clockMode = mode
        guard let calendar = BusinessCalendar(timeZoneName: timezone) else {
            throw ValidationError("--timezone: unknown time zone \(timezone)")
        }
        configuration.calendar = calendar
        if let publicURL {
            guard publicURL.hasPrefix("http://") || publicURL.hasPrefix("https://"), !publicURL.hasSuffix("/") else {
                throw ValidationError("--public-url must be http(s)://host[:port] without a trailing /")
            }
            configuration.publicURLOverride = publicURL
        }
        guard (1...3_650).contains(refundableDays) else { throw ValidationError("--refundable-days must be 1 to 3650") }
        configuration.refundableDays = refundableDays
        if let exchangeRates {
            var rates: [String: ExchangeRate] = [:]
            for pair in exchangeRates.split(separator: ",") {
                let parts = pair.split(separator: "=").map(String.init)
                guard parts.count == 2, parts[0].count == 3, parts[0].allSatisfy({ $0.isASCII && $0.isUppercase }), let rate = ExchangeRate(parts[1]) else {
                    throw ValidationError("--exchange-rates: \(pair) is not CUR=rate (USD=7.1)")
                }
                rates[parts[0]] = rate
            }
            configuration.exchangeRates = rates
        }

        var logger = Logger(label: "zhifu")
        logger.logLevel = .info
        let (store, storeServices) = try StoreChoice.open(configuration, logger: logger)
        // The store's services (PostgreSQL's connection pool) start first and stop last.
        let server = GatewayServer(configuration: configuration, store: store, logger: logger)
        let group = ServiceGroup(configuration: .init(services: (storeServices + [server]).map { .init(service: $0) },
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch let error as Fixtures.Invalid {
            throw ValidationError("fixtures refused: \(error.description)")
        }
        try await store.close()
    }
}

/// Opens the gateway on the running store, prints where everything is, and serves until the
/// service group shuts down.
struct GatewayServer: Service {
    let configuration: GatewayConfiguration
    let store: any Store
    let logger: Logger

    func run() async throws {
        let gateway = try await Gateway.open(configuration, store: store, logger: logger)
        if let demo = gateway.demo {
            say(demo.summary(configuration: configuration))
        } else if configuration.fixturesPath == nil, let summary = try? String(contentsOfFile: configuration.dataDirectory + "/demo.txt", encoding: .utf8) {
            say(summary)
        }
        say("Zhifu gateway  \(configuration.baseURL)/gateway.do")
        say("Health         \(configuration.baseURL)/health")
        say("Buyer page     \(configuration.publicURL)/buyer (payment codes; scan a qr_code to pay it)")
        say("Store          \(configuration.databaseURL == nil ? "SQLite \(configuration.dataDirectory)/zhifu.sqlite" : "PostgreSQL")")
        let mode = configuration.clockMode
        say("Clock          \(mode.rawValue)\(mode == .manual ? " (GET /sandbox/clock, POST /sandbox/clock/advance?seconds=N)" : "")")
        let app = buildApplication(gateway: gateway, services: [Notifier(gateway: gateway), TradeClock(gateway: gateway, logger: logger)], logger: logger)
        try await app.run()
    }
}

/// The one place that chooses the store: PostgreSQL for a database URL, else SQLite in the data
/// directory. Returns the services the store needs running beside the gateway.
enum StoreChoice {
    static func open(_ configuration: GatewayConfiguration, logger: Logger) throws -> (any Store, [any Service]) {
        if let url = configuration.databaseURL {
            let store = try PostgresStore(url: url, logger: logger)
            return (store, [store.database])
        }
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        return (try SQLiteStore(path: configuration.dataDirectory + "/zhifu.sqlite"), [])
    }
}

/// Writes a line to stdout unbuffered, so the start banner shows even when stdout is a file or pipe.
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
