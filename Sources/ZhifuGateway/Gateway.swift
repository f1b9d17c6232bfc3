import Foundation
import Logging
import Prometheus
import ZhifuCore
import ZhifuProtocol

/// The running gateway's shared state: store, clock, calendar and the gateway's own key.
/// Holds no business state of its own; everything durable is in the store.
public struct Gateway: Sendable {
    public let configuration: GatewayConfiguration
    public let store: any Store
    public let clock: any Clock
    /// Present when the clock is manual (sandbox time travel).
    public let manualClock: ManualClock?
    /// The key that signs responses and notifications (the "支付宝公钥" merchants verify with).
    public let privateKey: PrivateKey
    /// The DSA key that signs notifications of DSA-signed requests.
    public let dsaPrivateKey: PrivateKey
    /// Keys buyer session cookies (random, stored once; never derived from a signing key).
    let sessionSecret: [UInt8]
    /// The request metrics `GET /metrics` shows (Prometheus text format).
    public let metrics = PrometheusCollectorRegistry()
    /// This gateway's share of the payment-password KDF threads.
    let passwordKDF: PasswordKDF
    /// What a first start created, to print; `nil` when fixtures were given or demo data existed.
    public let demo: DemoData?
    /// The console operator's password this start generated, to print once; `nil` otherwise.
    public let generatedOperatorPassword: String?
    /// The admin API token this start generated, to print once; `nil` otherwise.
    public let generatedAdminToken: String?
    /// OpenAPI apps and merchants as this node last read them (one second at most).
    let apps = ConfigCache<String, App>(ttl: .seconds(1))
    let merchants = ConfigCache<UserId, Merchant>(ttl: .seconds(1))
    /// The enabled fault rules as this node last read them (one second at most).
    let faultRules = ConfigCache<Int, [FaultRule]>(ttl: .seconds(1))
    /// The operator's notify settings by merchant (redirected or held notifications).
    let notifySettings = ConfigCache<Int, [UserId: MerchantNotifySettings]>(ttl: .seconds(1))

    /// Migrates the store, loads fixtures (or creates demo data on a first start) and loads or
    /// creates the gateway key. Which store it is (SQLite, PostgreSQL) is the caller's choice.
    public static func open(_ configuration: GatewayConfiguration, store: any Store, logger: Logger = Logger(label: "zhifu")) async throws -> Gateway {
        var configuration = configuration
        try await store.migrate()
        // The sandbox's manual time is the database's, so every node on it tells the same time.
        var manualClock: ManualClock?
        if configuration.clockMode == .manual {
            let millis = try await store.setSettingIfAbsent(GatewaySettings.sandboxClock, value: String(Date().epochMilliseconds))
            guard let start = Int64(millis) else { throw StoreError.corrupt("setting \(GatewaySettings.sandboxClock) is not a number") }
            manualClock = ManualClock(start: Date(epochMilliseconds: start))
        }
        let clock: any Clock = manualClock ?? SystemClock()

        var demo: DemoData?
        if let path = configuration.fixturesPath {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
                throw Fixtures.Invalid("cannot read fixtures file \(path): \(error.localizedDescription)")
            }
            let fixtures = try Fixtures(json: data)
            try await fixtures.apply(to: store, clock: clock)
            if let bank = fixtures.bank { configuration.bank = bank }
        } else if try await store.setting(GatewaySettings.demoDataCreated) == nil {
            demo = try await DemoData.create(in: store, clock: clock, configuration: configuration)
        }
        let secrets = try await GatewaySecrets.load(configuration, store: store, logger: logger)
        let privateKey = secrets.privateKey, dsaPrivateKey = secrets.dsaPrivateKey
        if !configuration.inMemory {
            try DemoData.writeFile(privateKey.publicKey.pemRepresentation, to: configuration.dataDirectory + "/keys/gateway_public.pem")
            try DemoData.writeFile(dsaPrivateKey.publicKey.pemRepresentation, to: configuration.dataDirectory + "/keys/gateway_dsa_public.pem")
        }
        let gateway = Gateway(configuration: configuration, store: store, clock: clock, manualClock: manualClock, privateKey: privateKey,
                              dsaPrivateKey: dsaPrivateKey, sessionSecret: secrets.sessionSecret,
                              passwordKDF: PasswordKDF(maximumWaiting: configuration.passwordChecksWaiting, runsInline: configuration.passwordKDFInline),
                              demo: demo, generatedOperatorPassword: configuration.consoleEnabled
                                  ? try await ConsoleOperator.ensure(configuration, store: store) : nil,
                              generatedAdminToken: configuration.consoleEnabled ? try await AdminToken.ensure(configuration, store: store) : nil)
        let resumed = try await gateway.batchTrans.resume() + gateway.batchRefunds.resume()
        if resumed > 0 { logger.notice("finished \(resumed) batch(es) a previous run left processing") }
        return gateway
    }

    public var trades: TradeService {
        TradeService(store: store, clock: clock, calendar: configuration.calendar, refundableSeconds: configuration.refundableDays * 86_400)
    }

    public var fundAuth: FundAuthService {
        FundAuthService(store: store, clock: clock, calendar: configuration.calendar)
    }

    public var koubei: KoubeiService {
        KoubeiService(store: store, clock: clock, calendar: configuration.calendar)
    }

    public var mybank: MybankService { MybankService(store: store) }
    public var huabei: HuabeiService { HuabeiService(store: store, clock: clock) }

    public var batchTrans: BatchTransService {
        BatchTransService(store: store, clock: clock, calendar: configuration.calendar, passwords: passwords)
    }

    public var batchRefunds: BatchRefundService {
        BatchRefundService(store: store, clock: clock, calendar: configuration.calendar, trades: trades, passwords: passwords)
    }

    public var bptb: BptbService {
        BptbService(store: store, clock: clock, calendar: configuration.calendar, passwords: passwords, bank: configuration.bank)
    }

    public var accounts: AccountService { AccountService(store: store) }
    public var merchantDirectory: MerchantService { MerchantService(store: store) }
    public var notifications: NotificationService { NotificationService(store: store, clock: clock) }

    /// A merchant as this node last read it: what verifies a request or signs a notification, MAPI
    /// and OpenAPI alike, without a store read each time (a change is seen within a second, at once
    /// when the console made it).
    func merchant(partner: UserId) async throws -> Merchant? {
        try await merchants.value(partner) { try await merchantDirectory.merchant(partner: partner) }
    }

    /// An OpenAPI app as this node last read it (as `merchant(partner:)`).
    func app(appId: String) async throws -> App? {
        try await apps.value(appId) { try await merchantDirectory.app(appId: appId) }
    }

    /// Moves the sandbox time on in the database (one statement) and this node's clock with it;
    /// `nil` with the system clock.
    @discardableResult
    public func advanceSandboxClock(seconds: Int64) async throws -> Date? {
        guard let manualClock else { return nil }
        guard let millis = try await store.addToSetting(GatewaySettings.sandboxClock, amount: max(seconds, 0) * 1000) else {
            return manualClock.advance(seconds: seconds)
        }
        return manualClock.catchUp(to: Date(epochMilliseconds: millis))
    }

    /// A manual clock catches up with the sandbox time in the database (another node moved it);
    /// returns the time now, or `nil` with the system clock.
    @discardableResult
    public func followSandboxClock() async throws -> Date? {
        guard let manualClock else { return nil }
        guard let text = try await store.setting(GatewaySettings.sandboxClock), let millis = Int64(text) else { return manualClock.now }
        return manualClock.catchUp(to: Date(epochMilliseconds: millis))
    }

    /// `sqlite` or `postgres` once the store answers a read; throws while it cannot.
    public func storeStatus() async throws -> String {
        _ = try await store.setting(GatewaySettings.demoDataCreated)
        return store.kind
    }

    public var passwords: PaymentPasswordCheck {
        PaymentPasswordCheck(store: store, kdf: passwordKDF, clock: clock, lockSeconds: configuration.passwordLockSeconds)
    }

    /// MD5 with the partner's key; RSA and DSA with the gateway's own keys.
    func notificationSigner(_ notification: OutboxNotification, md5Key: String?) throws -> any Signer {
        try mapiSigner(notification.signType, md5Key: md5Key)
    }

    /// What signs a MAPI answer to a partner (notifications, return_url parameters).
    func mapiSigner(_ signType: SignType, md5Key: String?) throws -> any Signer {
        switch signType {
        case .md5:
            guard let md5Key else { throw KeyError.malformed }
            return MD5Signer(key: md5Key)
        case .rsa, .rsa2: return try RSASigner(key: privateKey, signType: signType)
        case .dsa: return try DSASigner(key: dsaPrivateKey)
        }
    }
}
