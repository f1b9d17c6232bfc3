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
    @Option(help: "A directory (mode 0700) for the gateway's private keys and session secret instead of the database; created on a first start.")
    var secretsDir: String?
    @Option(help: "system, or manual (time moves only via POST /sandbox/clock/advance).") var clock = "system"
    @Option(help: "Time zone of the business day: +08:00 (default), UTC, or an IANA name.") var timezone = "+08:00"
    @Option(help: "The address in URLs Zhifu hands out (qr_code); http://HOST:PORT by default.") var publicURL: String?
    @Option(help: "Days a paid trade stays refundable before TRADE_FINISHED.") var refundableDays: Int64 = 90
    @Option(help: "How long a start waits for an unreachable database (seconds, or with m/h) before it exits non-zero.")
    var databaseWait = "60"
    @Option(help: "How long five wrong payment passwords block an account: seconds, or with m/h/d (default 3h, as Alipay).")
    var passwordLock = "3h"
    @Option(help: "CNY per unit of each accepted currency, e.g. USD=7.1,HKD=0.91 (replaces the defaults).") var exchangeRates: String?
    @Option(help: "on, or off to leave the operator console (/console) out.") var console = "on"
    @Option(help: "The console operator's password (also ZHIFU_OPERATOR_PASSWORD); generated once and kept in demo.txt when not given.")
    var operatorPassword: String?
    @Option(help: "The admin API's bearer token (also ZHIFU_ADMIN_TOKEN); generated once and kept in demo.txt when not given.")
    var adminToken: String?

    /// `90`, `15m`, `3h`, `1d` in seconds.
    static func seconds(_ text: String) -> Int64? {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
        guard let last = text.last else { return nil }
        let (digits, unit) = last.isNumber ? (Substring(text), Int64(1)) : (text.dropLast(), units[last] ?? 0)
        guard unit > 0, !digits.isEmpty, digits.count <= 9, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int64(digits) else { return nil }
        return value * unit
    }

    func run() async throws {
        var configuration = GatewayConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.dataDirectory = dataDir
        configuration.databaseURL = databaseURL ?? ProcessInfo.processInfo.environment["ZHIFU_DATABASE_URL"]
        configuration.fixturesPath = fixtures
        configuration.secretsDirectory = secretsDir ?? ProcessInfo.processInfo.environment["ZHIFU_SECRETS_DIR"]
        guard let mode = GatewayConfiguration.ClockMode(rawValue: clock) else {
            throw ValidationError("--clock must be system or manual")
        }
        configuration.clockMode = mode
        guard console == "on" || console == "off" else { throw ValidationError("--console must be on or off") }
        configuration.consoleEnabled = console == "on"
        configuration.operatorPassword = operatorPassword ?? ProcessInfo.processInfo.environment["ZHIFU_OPERATOR_PASSWORD"]
        configuration.adminToken = adminToken ?? ProcessInfo.processInfo.environment["ZHIFU_ADMIN_TOKEN"]
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
        guard let lockSeconds = Self.seconds(passwordLock), (1...(30 * 86_400)).contains(lockSeconds) else {
            throw ValidationError("--password-lock must be 1 second to 30 days: 90, 15m, 3h, 1d")
        }
        configuration.passwordLockSeconds = lockSeconds
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
        guard let waitSeconds = Self.seconds(databaseWait), (1...3_600).contains(waitSeconds) else {
            throw ValidationError("--database-wait must be 1 second to 1 hour")
        }
        let server = GatewayServer(configuration: configuration, store: store, logger: logger, databaseWaitSeconds: waitSeconds)
        var groupConfiguration = ServiceGroupConfiguration(services: (storeServices + [server]).map { .init(service: $0) },
                                                           gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // A stop is bounded: requests in flight get 10 s to finish, then whatever still waits (a
        // query the database never answered) is cancelled.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(10)
        groupConfiguration.maximumCancellationDuration = .seconds(5)
        let group = ServiceGroup(configuration: groupConfiguration)
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
    /// How long a start waits for an unreachable database before giving up.
    var databaseWaitSeconds: Int64 = 60

    func run() async throws {
        try await StoreReadiness.wait(for: store, seconds: databaseWaitSeconds, logger: logger)
        let gateway = try await Gateway.open(configuration, store: store, logger: logger)
        if let demo = gateway.demo {
            say(demo.summary(configuration: configuration))
        } else if configuration.fixturesPath == nil, let summary = try? String(contentsOfFile: configuration.dataDirectory + "/demo.txt", encoding: .utf8) {
            say(summary)
        }
        say("Zhifu gateway  \(configuration.baseURL)/gateway.do")
        say("Health         \(configuration.baseURL)/health")
        say("Buyer page     \(configuration.publicURL)/buyer (payment codes; scan a qr_code to pay it)")
        if configuration.consoleEnabled {
            var lines = ""
            if let password = gateway.generatedOperatorPassword { lines += "Console operator password: \(password)\n" }
            if let token = gateway.generatedAdminToken { lines += "Admin API token: \(token)\n" }
            if !lines.isEmpty, !configuration.inMemory {
                let path = configuration.dataDirectory + "/demo.txt"
                let existing = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
                try DemoData.writeFile(existing + lines, to: path, privateFile: true)
            }
            say("Console        \(configuration.publicURL)/console (operator password: \(gateway.generatedOperatorPassword ?? "--operator-password or demo.txt"))")
            say("Admin API      \(configuration.publicURL)/admin/api (Bearer token: \(gateway.generatedAdminToken ?? "--admin-token or demo.txt"))")
        }
        let postgres = configuration.databaseURL.flatMap { try? PostgresURL($0) }
        say("Store          \(postgres.map { "PostgreSQL \($0)" } ?? "SQLite \(configuration.dataDirectory)/zhifu.sqlite")")
        say("Secrets        \(configuration.secretsDirectory.map { "files in \($0)" } ?? "gateway keys and session secret in the database")")
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
            return (store, [store.database, CreditFolder(store: store, logger: logger)])
        }
        try DataDirectory.secure(configuration.dataDirectory, logger: logger)
        return (try SQLiteStore(path: configuration.dataDirectory + "/zhifu.sqlite"), [])
    }
}

/// Writes a line to stdout unbuffered, so the start banner shows even when stdout is a file or pipe.
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
