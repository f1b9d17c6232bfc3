import Foundation
import ZhifuCore
import ZhifuProtocol

/// Everything `zhifu serve` can be told. Defaults run offline on an embedded SQLite file.
public struct GatewayConfiguration: Sendable {
    public enum ClockMode: String, Sendable, CaseIterable {
        /// The machine's clock.
        case system
        /// Starts at the current time and moves only through `POST /sandbox/clock/advance`.
        case manual
    }

    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    /// Holds `zhifu.sqlite`, the key files and `demo.txt`.
    public var dataDirectory: String = "./zhifu-data"
    /// `postgres://…` to use PostgreSQL instead of SQLite.
    public var databaseURL: String?
    /// A fixtures file (see README); without one a first start creates demo data.
    public var fixturesPath: String?
    /// A directory (0700) holding the gateway's signing keys and session secret, so that the
    /// database does not; created on a first start. `nil`: they live in the store's settings.
    public var secretsDirectory: String?
    public var clockMode: ClockMode = .system
    /// The business day's time zone (Alipay's is China Standard Time).
    public var calendar: BusinessCalendar = BusinessCalendar()
    /// Keep the store in memory (tests only): nothing is written to `dataDirectory`.
    public var inMemory: Bool = false
    /// Days a paid trade stays refundable; then it becomes TRADE_FINISHED.
    public var refundableDays: Int64 = 90
    /// CNY per unit of each trans_currency / settle_currency Zhifu accepts (sandbox rates).
    public var exchangeRates: [String: ExchangeRate] = [
        "USD": ExchangeRate("7.1000")!, "HKD": ExchangeRate("0.9100")!, "EUR": ExchangeRate("7.7000")!, "GBP": ExchangeRate("9.0000")!,
        "JPY": ExchangeRate("0.0480")!, "SGD": ExchangeRate("5.3000")!, "AUD": ExchangeRate("4.7000")!, "CAD": ExchangeRate("5.2000")!,
    ]

    /// Payment-password checks waiting for the KDF threads before new ones are refused as busy.
    public var passwordChecksWaiting: Int = 64
    /// How long five wrong payment passwords block an account, on the gateway clock (Alipay: 3 hours).
    public var passwordLockSeconds: Int64 = PaymentPasswordCheck.defaultLockSeconds
    /// Seconds a client connection may sit idle before the server closes it (slow-client hygiene).
    public var idleTimeoutSeconds: Int64 = 60
    /// Benchmarks only: run the KDF on the request's own thread (the behaviour before the pool).
    public var passwordKDFInline: Bool = false
    /// `/console` for the operator; `--console off` leaves it out (404).
    public var consoleEnabled: Bool = true
    /// Sets the console operator's password at start; generated once (demo.txt) when absent.
    public var operatorPassword: String?
    /// Sets the admin API's bearer token at start; generated once (demo.txt) when absent.
    public var adminToken: String?

    /// The simulated bank of batch pay to bank accounts: its delay and refund-ticket rules.
    public var bank: BankSimulator = BankSimulator()

    public init() {}

    /// The address merchants are told to use, e.g. `http://127.0.0.1:8080`.
    public var baseURL: String { "http://\(host):\(port)" }
    /// The address in URLs Zhifu hands out (qr_code): `baseURL` unless set (behind a proxy).
    public var publicURLOverride: String?
    public var publicURL: String { publicURLOverride ?? baseURL }
}
