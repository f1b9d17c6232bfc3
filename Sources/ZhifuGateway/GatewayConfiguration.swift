import Foundation
import ZhifuCore

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
    public var clockMode: ClockMode = .system
    /// The business day's time zone (Alipay's is China Standard Time).
    public var calendar: BusinessCalendar = BusinessCalendar()
    /// Keep the store in memory (tests only): nothing is written to `dataDirectory`.
    public var inMemory: Bool = false

    public init() {}

    /// The address merchants are told to use, e.g. `http://127.0.0.1:8080`.
    public var baseURL: String { "http://\(host):\(port)" }
}
