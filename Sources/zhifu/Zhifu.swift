import ArgumentParser

@main
struct Zhifu: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zhifu",
        abstract: "An Alipay-compatible payment gateway and the tools to talk to it.",
        subcommands: [Serve.self, Accounts.self, Keys.self, Sign.self, Verify.self, ClockCommand.self, Faults.self, Notifications.self]
    )
}
