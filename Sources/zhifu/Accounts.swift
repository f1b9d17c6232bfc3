import ArgumentParser
import Foundation
import Logging
import ZhifuCore
import ZhifuGateway

/// Operator tools on accounts, run against the same store as `zhifu serve` (it may be running).
struct Accounts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Operator tools on accounts.", subcommands: [Unlock.self])

    /// Ends a payment-password lock (or an operator's block) before its time: the account is
    /// normal again and its count of wrong passwords starts over.
    struct Unlock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Unblock an account locked by wrong payment passwords.")
        @Argument(help: "The account's logon id (email or mobile number).") var logonId: String
        @Option(help: "Directory of the SQLite file (as given to serve).") var dataDir = "./zhifu-data"
        @Option(help: "postgres://… when the gateway runs on PostgreSQL (or ZHIFU_DATABASE_URL).") var databaseURL: String?

        func run() async throws {
            var configuration = GatewayConfiguration()
            configuration.dataDirectory = dataDir
            configuration.databaseURL = databaseURL ?? ProcessInfo.processInfo.environment["ZHIFU_DATABASE_URL"]
            var logger = Logger(label: "zhifu")
            logger.logLevel = .warning
            let (store, services) = try StoreChoice.open(configuration, logger: logger)
            let runs = services.map { service in Task { try await service.run() } }
            defer { for run in runs { run.cancel() } }
            try await store.migrate()
            guard let account = try await store.account(logonId: logonId) else {
                throw ValidationError("no account with logon id \(logonId)")
            }
            try await store.setAccountStatus(userId: account.userId, .normal)
            say("\(logonId) (\(account.userId)) unlocked: was \(account.status.rawValue) after \(account.failedPasswordAttempts) wrong password(s)")
            try await store.close()
        }
    }
}
