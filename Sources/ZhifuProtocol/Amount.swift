import Foundation

/// An amount of money in fen (1/100 yuan). Never a floating-point number.
public struct Amount: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var fen: Int64

    public init(fen: Int64) { self.fen = fen }

    public static let zero = Amount(fen: 0)

    /// Parses the wire format: digits, optionally `.` and one or two decimals ("20", "20.0",
    /// "20.00", "0.01"). Signs, exponents, spaces, more decimals and overflow are refused.
    public init?(_ text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 24 else { return nil }
        let dot = bytes.firstIndex(of: UInt8(ascii: "."))
        let integerDigits = bytes[..<(dot ?? bytes.endIndex)]
        let fractionDigits = dot.map { bytes[($0 + 1)...] } ?? []
        guard !integerDigits.isEmpty, integerDigits.allSatisfy(Self.isDigit),
              dot == nil || (1...2).contains(fractionDigits.count), fractionDigits.allSatisfy(Self.isDigit)
        else { return nil }
        var fen: Int64 = 0
        for digit in integerDigits + fractionDigits + Array(repeating: UInt8(ascii: "0"), count: 2 - fractionDigits.count) {
            let (times10, overflow1) = fen.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int64(digit - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            fen = sum
        }
        self.fen = fen
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// "20.00": yuan with exactly two decimals, as every Alipay response prints money.
    public var description: String {
        let sign = fen < 0 ? "-" : ""
        let magnitude = fen.magnitude
        let cents = magnitude % 100
        return "\(sign)\(magnitude / 100).\(cents < 10 ? "0" : "")\(cents)"
    }

    public static func < (lhs: Amount, rhs: Amount) -> Bool { lhs.fen < rhs.fen }

    /// Sum that reports overflow instead of trapping.
    public static func sum(_ amounts: some Sequence<Amount>) -> Amount? {
        var total: Int64 = 0
        for amount in amounts {
            let (next, overflow) = total.addingReportingOverflow(amount.fen)
            if overflow { return nil }
            total = next
        }
        return Amount(fen: total)
    }

    /// Alipay's Price(11): the longest amount text a field takes.
    public static let maximumTextLength = 11

    /// A string ("88.88") or a JSON number (`88.88`, which Alipay accepts inside nested objects);
    /// a number is read as a Decimal from its literal, never as a Double.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text: String
        if let string = try? container.decode(String.self) { text = string } else { text = "\(try container.decode(Decimal.self))" }
        guard let amount = Amount(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an amount: \"\(text)\"")
        }
        self = amount
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
