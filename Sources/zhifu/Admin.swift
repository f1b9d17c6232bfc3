import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Where a running gateway's admin API is and the token it takes: for CI scripts.
struct AdminOptions: ParsableArguments {
    @Option(help: "The gateway (or ZHIFU_URL).") var url: String?
    @Option(help: "The admin API token (or ZHIFU_ADMIN_TOKEN; `zhifu serve` prints it once and keeps it in demo.txt).") var token: String?

    /// Calls the admin API; prints the JSON answer, or fails with it.
    func call(_ method: HTTPMethod, _ path: String, form: [(String, String)] = []) async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let token = token ?? environment["ZHIFU_ADMIN_TOKEN"] else { throw ValidationError("--token or ZHIFU_ADMIN_TOKEN is needed") }
        let base = url ?? environment["ZHIFU_URL"] ?? "http://127.0.0.1:8080"
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if !form.isEmpty {
            var components = URLComponents()
            components.queryItems = form.map { URLQueryItem(name: $0.0, value: $0.1) }
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: components.percentEncodedQuery ?? ""))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = String(buffer: try await response.body.collect(upTo: 4 << 20))
        guard (200..<300).contains(Int(response.status.code)) else { throw AdminCallFailed(description: "\(response.status.code): \(body)") }
        say(body)
    }
}

/// The gateway refused the call: its status and answer, without a usage text.
struct AdminCallFailed: Error, CustomStringConvertible {
    var description: String
}

/// `zhifu clock advance 2h`: moves a `--clock manual` gateway's time on.
struct ClockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "clock", abstract: "The sandbox clock of a running gateway.",
                                                    subcommands: [Advance.self, Next.self])

    struct Next: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move the clock to the next due notification try or trade timeout.")
        @OptionGroup var admin: AdminOptions
        func run() async throws { try await admin.call(.POST, "/admin/api/clock/next") }
    }

    struct Advance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move the clock on: seconds, or with m/h/d (90, 15m, 2h, 1d).")
        @Argument var duration: String
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            guard let seconds = Serve.seconds(duration) else { throw ValidationError("duration: 90, 15m, 2h or 1d") }
            try await admin.call(.POST, "/admin/api/clock/advance?seconds=\(seconds)")
        }
    }
}

/// `zhifu faults add|list|off`: the console's fault rules from a script.
struct Faults: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Fault rules of a running gateway.", subcommands: [Add.self, List.self, Off.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a rule: a method answers an error, or a notify URL answers a status.")
        @Option(help: "method or notify.") var kind = "method"
        @Option(help: "The method (alipay.trade.pay) or a notify URL prefix.") var target: String
        @Option(help: "20000 or a sub_code (ACQ.SYSTEM_ERROR); for notify, an HTTP status or timeout.") var answer: String
        @Option(help: "For notify: the body to answer.") var body: String?
        @Option(help: "How many times (every time when not given).") var count: Int64?
        @Option(help: "The percent of matching calls it fires on, drawn per call (every call when not given).") var share: Int?
        @OptionGroup var admin: AdminOptions

        func run() async throws {
            var form = [("kind", kind), ("target", target), ("answer", answer)]
            if let body { form.append(("body", body)) }
            if let count { form.append(("count", String(count))) }
            if let share { form.append(("share", String(share))) }
            try await admin.call(.POST, "/admin/api/faults", form: form)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every rule with how often it fired.")
        @OptionGroup var admin: AdminOptions
        func run() async throws { try await admin.call(.GET, "/admin/api/faults") }
    }

    struct Off: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Switch a rule off.")
        @Argument var id: String
        @OptionGroup var admin: AdminOptions
        func run() async throws { try await admin.call(.POST, "/admin/api/faults/\(id)/off") }
    }
}

/// `zhifu notifications resend NOTIFY_ID`.
struct Notifications: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Notifications of a running gateway.", subcommands: [Resend.self, Settings.self])

    struct Settings: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Redirect a merchant's notifications to another URL, or hold them.")
        @Argument(help: "The merchant's partner id.") var partner: String
        @Option(help: "Post the merchant's notifications here instead of their notify_url (omit to send them as addressed).") var redirectURL: String?
        @Flag(help: "Hold the merchant's notifications: nothing is sent, no try counted, until run again without it.") var paused = false
        @OptionGroup var admin: AdminOptions
        func run() async throws {
            try await admin.call(.POST, "/admin/api/merchants/\(partner)/notify", form: [("redirect_url", redirectURL ?? ""), ("paused", paused ? "true" : "false")])
        }
    }

    struct Resend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a notification due now (pending again).")
        @Argument var notifyId: String
        @OptionGroup var admin: AdminOptions
        func run() async throws { try await admin.call(.POST, "/admin/api/notifications/\(notifyId)/resend") }
    }
}
