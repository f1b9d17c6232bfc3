import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ZhifuCore
import ZhifuGateway

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the gateway (embedded SQLite by default, demo data on a first start).")

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @Option(help: "Directory for the SQLite file, key files and demo.txt.") var dataDir = "./zhifu-data"
    @Option(help: "postgres://user:password@host:port/database to use PostgreSQL instead of SQLite.") var databaseURL: String?
    @Option(help: "A fixtures JSON file to load at start (see README).") var fixtures: String?
    @Option(help: "system, or manual (time moves only via POST /sandbox/clock/advance).") var clock = "system"
    @Option(help: "Time zone of the business day: +08:00 (default), UTC, or an IANA name.") var timezone = "+08:00"

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

        var logger = Logger(label: "zhifu")
        logger.logLevel = .info
        let gateway: Gateway
        do {
            gateway = try await Gateway.open(configuration, logger: logger)
        } catch let error as Fixtures.Invalid {
            throw ValidationError("fixtures refused: \(error.description)")
        }
        if let demo = gateway.demo {
            say(demo.summary(configuration: configuration))
        } else if configuration.fixturesPath == nil, let summary = try? String(contentsOfFile: dataDir + "/demo.txt", encoding: .utf8) {
            say(summary)
        }
        say("Zhifu gateway  \(configuration.baseURL)/gateway.do")
        say("Health         \(configuration.baseURL)/health")
        say("Store          \(configuration.databaseURL == nil ? "SQLite \(dataDir)/zhifu.sqlite" : "PostgreSQL")")
        say("Clock          \(mode.rawValue)\(mode == .manual ? " (GET /sandbox/clock, POST /sandbox/clock/advance?seconds=N)" : "")")
        let app = buildApplication(gateway: gateway, notifier: Notifier(gateway: gateway), logger: logger)
        try await app.runService()
        try await gateway.store.close()
    }
}

/// Writes a line to stdout unbuffered, so the start banner shows even when stdout is a file or pipe.
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
