import Foundation
import ZhifuProtocol

/// The bank behind batch pay to bank accounts: it answers every submitted row after a delay on the
/// gateway clock, and refuses (退票) the rows its rules pick, with the rule's reason.
public struct BankSimulator: Sendable, Equatable {
    /// Which rows a rule refuses.
    public enum Match: Sendable, Equatable {
        /// 收款人账号, exactly as uploaded.
        case accountNo(String)
        /// 收款人姓名.
        case payeeName(String)
        /// A share of all rows in basis points (1/10000), drawn from a hash of `seed`, the file and
        /// the row: the same rows bounce on every run with the same seed.
        case share(basisPoints: Int, seed: String)
    }

    public struct Rule: Sendable, Equatable {
        public var match: Match
        /// 退票原因, e.g. 账户名有误, 账号不存在, 账户已冻结.
        public var reason: String
        public init(_ match: Match, reason: String) { self.match = match; self.reason = reason }
    }

    /// Reasons banks give, offered by the console and the fixtures' documentation.
    public static let commonReasons = ["账户名有误", "账号不存在", "账户已冻结", "账户已销户", "户名与账号不符"]

    /// Seconds between the money reaching the bank and the bank's answer.
    public var clearingDelay: Int64
    public var rules: [Rule]

    public init(clearingDelay: Int64 = 1_800, rules: [Rule] = []) { self.clearingDelay = clearingDelay; self.rules = rules }

    /// The first matching rule's reason, or `nil` when the bank pays the row.
    public func bounceReason(for row: BptbRow, fileId: String, seq: Int) -> String? {
        rules.first { rule in
            switch rule.match {
            case .accountNo(let account): row.accountNo == account
            case .payeeName(let name): row.payeeName == name
            case .share(let basisPoints, let seed):
                Self.draw(seed: seed, fileId: fileId, seq: seq) < basisPoints
            }
        }?.reason
    }

    /// A number in 0..<10000 from the first bytes of SHA-256(seed, file, row).
    static func draw(seed: String, fileId: String, seq: Int) -> Int {
        let digest = Digest.sha256(Array("\(seed)\n\(fileId)\n\(seq)".utf8))
        let value = digest.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return Int(value % 10_000)
    }
}
