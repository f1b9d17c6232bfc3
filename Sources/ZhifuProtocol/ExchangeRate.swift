/// An exchange rate as Alipay prints it ("6.5261"): kept as an integer of millionths, so that
/// converting money stays in integers.
public struct ExchangeRate: Sendable, Hashable, CustomStringConvertible {
    public static let scale: Int64 = 1_000_000
    /// The rate times one million.
    public let micros: Int64

    public static let one = ExchangeRate(micros: scale)

    public init(micros: Int64) { self.micros = micros }

    /// Digits with at most six decimals, above zero and below 100000.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = Int64(parts[0]), whole >= 0, whole < 100_000, parts[0].allSatisfy(\.isASCII) else { return nil }
        var fraction: Int64 = 0
        if parts.count == 2 {
            let digits = parts[1]
            guard (1...6).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int64(digits) else { return nil }
            fraction = value * Self.pow10(6 - digits.count)
        }
        micros = whole * Self.scale + fraction
        guard micros > 0 else { return nil }
    }

    private static func pow10(_ n: Int) -> Int64 { (0..<n).reduce(1) { acc, _ in acc * 10 } }

    public var description: String {
        let fraction = String(micros % Self.scale)
        return "\(micros / Self.scale)." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }

    /// `amount` times this rate, rounded half up to the fen; `nil` on overflow.
    public func convert(_ amount: Amount) -> Amount? {
        let (product, overflow) = amount.fen.multipliedReportingOverflow(by: micros)
        guard !overflow, amount.fen >= 0 else { return nil }
        return Amount(fen: (product + Self.scale / 2) / Self.scale)
    }

    /// The rate from `self`'s currency into `other`'s when both are quoted in CNY.
    public func relative(to other: ExchangeRate) -> ExchangeRate {
        ExchangeRate(micros: max(1, (micros * Self.scale + other.micros / 2) / other.micros))
    }
}
