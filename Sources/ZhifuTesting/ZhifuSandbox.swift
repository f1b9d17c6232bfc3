import AsyncHTTPClient
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Hummingbird
import NIOCore
import Synchronization
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol
import ZhifuSDK
import ZhifuStoreSQLite

/// A whole Zhifu inside a merchant's `swift test`: the gateway on a free loopback port, a
/// temporary SQLite store with the demo world (a merchant, its OpenAPI app, funded buyers), a
/// manual clock, and an ``AlipayClient`` configured for it.
///
/// ```swift
/// let sandbox = try await ZhifuSandbox.start()
/// defer { Task { await sandbox.stop() } }
/// let code = try await sandbox.buyer().paymentCode()
/// let paid = try await sandbox.client.trade.pay(.init(order: order, authCode: code))
/// ```
public final class ZhifuSandbox: Sendable {
    /// `http://127.0.0.1:PORT/gateway.do`.
    public let gatewayURL: String
    public let gateway: Gateway
    /// The demo world: merchant, app id, buyers with their payment passwords.
    public let demo: DemoData
    /// Signs as the demo app and verifies with the gateway's key.
    public let client: AlipayClient
    /// A notify_url that records what a merchant's endpoint would receive (``notifications()``)
    /// and answers `success`.
    public let notifyURL: String
    let sink: NotificationSink
    let directory: String
    let servers: [Task<Void, any Error>]

    init(gatewayURL: String, gateway: Gateway, demo: DemoData, client: AlipayClient, notifyURL: String, sink: NotificationSink, directory: String,
         servers: [Task<Void, any Error>]) {
        self.gatewayURL = gatewayURL; self.gateway = gateway; self.demo = demo; self.client = client
        self.notifyURL = notifyURL; self.sink = sink; self.directory = directory; self.servers = servers
    }

    /// The notifications posted to ``notifyURL`` so far, in arrival order, as form parameters
    /// (check them with `client.isValidNotification`).
    public func notifications() -> [ZhifuProtocol.Parameters] { sink.received.withLock { $0 } }

    /// Waits (up to `seconds`) until at least `count` notifications have arrived.
    public func waitForNotifications(_ count: Int, seconds: Double = 10) async throws -> [ZhifuProtocol.Parameters] {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while notifications().count < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        return notifications()
    }

    /// Boots the sandbox; returns once it answers on its port.
    /// `bank`: the simulated bank of batch pay to bank accounts (its delay and refund-ticket rules).
    public static func start(bank: BankSimulator = BankSimulator()) async throws -> ZhifuSandbox {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zhifu-sandbox-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var configuration = GatewayConfiguration()
        configuration.dataDirectory = directory
        // A port of its own before the gateway opens: the URLs it hands out (qr_code) carry it.
        configuration.port = try freePort()
        configuration.clockMode = .manual
        configuration.bank = bank
        let gateway = try await Gateway.open(configuration, store: try SQLiteStore(path: directory + "/zhifu.sqlite"))
        guard let demo = gateway.demo, let appKeyFile = demo.keyFiles["app_private.pem"] else { throw SandboxError.noDemoWorld }
        let port = Mutex<Int?>(nil)
        let application = buildApplication(gateway: gateway, services: [Notifier(gateway: gateway)]) { channel in
            port.withLock { $0 = channel.localAddress?.port }
        }
        let server = Task { try await application.runService() }
        let sink = NotificationSink()
        let sinkPort = try freePort()
        let sinkServer = Task { try await sink.application(port: sinkPort).runService() }
        var bound: Int?
        // Up to 30 s: a merchant's test run starts many things at once on few cores.
        for _ in 0..<3_000 {
            bound = port.withLock { $0 }
            if bound != nil, sink.listening.withLock({ $0 }) { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        guard let bound else {
            server.cancel()
            sinkServer.cancel()
            throw SandboxError.didNotStart
        }
        let gatewayURL = "http://127.0.0.1:\(bound)/gateway.do"
        let client = AlipayClient(configuration: try .init(gatewayURL: gatewayURL, appId: demo.appId,
                                                           appPrivateKey: try String(contentsOfFile: appKeyFile, encoding: .utf8),
                                                           alipayPublicKey: gateway.privateKey.publicKey.pemRepresentation))
        return ZhifuSandbox(gatewayURL: gatewayURL, gateway: gateway, demo: demo, client: client, notifyURL: "http://127.0.0.1:\(sinkPort)/notify",
                            sink: sink, directory: directory, servers: [server, sinkServer])
    }

    /// A loopback port nobody listens on now (the kernel picks it).
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        let named = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        guard bound == 0, named == 0 else { throw SandboxError.didNotStart }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    public enum SandboxError: Error, Equatable {
        case noDemoWorld, didNotStart
        case unknownBuyer(String)
        /// The cashier did not accept the payment; its message.
        case paymentRefused(String)
    }

    /// A demo buyer (`buyer@zhifu.test` by default, or `13800000002`).
    public func buyer(_ logonId: String = "buyer@zhifu.test") throws -> Buyer {
        guard let person = demo.people.first(where: { $0.logonId == logonId }) else { throw SandboxError.unknownBuyer(logonId) }
        return Buyer(sandbox: self, person: person)
    }

    /// Fault switch: while `down`, the built-in notify endpoint answers 500, as a merchant's endpoint
    /// that is down; each refused try is counted (``refusedNotificationCount()``) and retried on
    /// Alipay's schedule (move time with ``advance(bySeconds:)``).
    public func setNotifyEndpointDown(_ down: Bool) { sink.down.withLock { $0 = down } }

    /// Tries the built-in notify endpoint refused while down.
    public func refusedNotificationCount() -> Int { sink.refused.withLock { $0 } }

    /// Moves the sandbox's clock on (timeouts close trades, notification retries fall due), in
    /// the database as `/sandbox/clock/advance` does, so the gateway and the test agree.
    public func advance(bySeconds seconds: Int64) async throws {
        try await gateway.advanceSandboxClock(seconds: seconds)
        // The bank answers the payout rows now due (`zhifu serve` sweeps every second).
        _ = try await gateway.bptb.sweep()
    }

    /// Stops the server and removes the sandbox's files.
    public func stop() async {
        for server in servers {
            server.cancel()
            _ = await server.result
        }
        try? await gateway.store.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The buyer's "browser": it stops at the cashier's 303 to the merchant's return_url (that
    /// redirect is the sign of payment), instead of following it to the merchant's page.
    static let cashierClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

    /// What a buyer does without a browser: payment codes, and paying on the cashier page.
    public struct Buyer: Sendable {
        let sandbox: ZhifuSandbox
        public let person: DemoData.Person

        /// Fault switch: the buyer's balance becomes `amount` (by a transfer to or from the clearing
        /// account); too little makes the next payment fail with ACQ.BUYER_BALANCE_NOT_ENOUGH.
        public func setBalance(_ amount: Amount) async throws {
            try await sandbox.gateway.accounts.setBalance(userId: person.userId, to: amount, at: sandbox.gateway.clock.now)
        }

        /// A fresh payment code (付款码) for `alipay.trade.pay`'s `auth_code`.
        public func paymentCode() async throws -> String {
            try await sandbox.gateway.trades.issuePaymentCode(buyer: person.userId).code
        }

        /// Pays a trade on the cashier page (page.pay, wap.pay, app.pay, or a precreate QR code
        /// once `scan`ned) with the buyer's payment password.
        public func pay(tradeNo: String) async throws {
            let base = sandbox.gatewayURL.replacingOccurrences(of: "/gateway.do", with: "")
            var request = HTTPClientRequest(url: "\(base)/cashier/\(tradeNo)")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            let form = ZhifuProtocol.Parameters([("account", person.logonId), ("password", person.password)])
            request.body = .bytes(ByteBuffer(string: FormCoding.encode(form, charset: .utf8) ?? ""))
            let response = try await ZhifuSandbox.cashierClient.execute(request, timeout: .seconds(30))
            let page = String(buffer: try await response.body.collect(upTo: 1 << 20))
            // A redirect goes to the merchant's return_url: paid. Otherwise the page says.
            guard response.status == .seeOther || page.contains("id=\"result\">支付成功") else {
                throw SandboxError.paymentRefused(page.range(of: "id=\"error\">").map { String(page[$0.upperBound...].prefix { $0 != "<" }) } ?? "not paid")
            }
        }

        /// Scans a precreate `qr_code` (the trade comes to exist, as on Alipay) and pays it.
        public func scanAndPay(qrCode: String) async throws {
            guard let tradeNo = qrCode.split(separator: "/").last.map(String.init) else { throw SandboxError.paymentRefused("not a Zhifu qr_code") }
            var request = HTTPClientRequest(url: qrCode)
            request.method = .GET
            _ = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            try await pay(tradeNo: tradeNo)
        }
    }
}

/// The sandbox's own notify endpoint: records each form it is posted and answers `success`, or
/// 500 while switched `down`.
final class NotificationSink: Sendable {
    let received = Mutex<[ZhifuProtocol.Parameters]>([])
    let listening = Mutex(false)
    let down = Mutex(false)
    let refused = Mutex(0)

    func application(port: Int) -> some ApplicationProtocol {
        let router = Router()
        router.post("/notify") { request, _ in
            if self.down.withLock({ $0 }) {
                self.refused.withLock { $0 += 1 }
                return Response(status: .internalServerError, body: .init(byteBuffer: ByteBuffer(string: "down")))
            }
            var request = request
            let body = Array(try await request.collectBody(upTo: 1 << 20).readableBytesView)
            let charset = FormCoding.rawField("charset", in: body).flatMap { Charset(name: $0) } ?? .utf8
            if let (parameters, _) = try? FormCoding.decode(query: [], body: body, charsetNames: [], defaultCharset: charset) {
                self.received.withLock { $0.append(parameters) }
            }
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "success")))
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
                           onServerRunning: { _ in self.listening.withLock { $0 = true } })
    }
}
