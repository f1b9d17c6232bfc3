import Foundation
import ZhifuProtocol

/// What can be wrong with one row of a payout file; the raw value is the reason shown on the
/// review page and in the 下载校验明细 CSV. The seed's example rows (图2-2) show the usual ones:
/// a missing province or city, an account number a spreadsheet turned into `1.23457E+15`, and
/// characters that are not digits (`!!183…`).
public enum BptbRowProblem: String, Sendable, CaseIterable {
    case serialNoMissing = "商户流水号不能为空"
    case serialNoTooLong = "商户流水号不能超过32位"
    case serialNoInvalid = "商户流水号只能包含字母和数字"
    case serialNoDuplicate = "商户流水号在文件中重复"
    case payeeNameMissing = "收款人姓名不能为空"
    case payeeNameTooLong = "收款人姓名不能超过50个字"
    case accountNoMissing = "收款人账号不能为空"
    case accountNoScientific = "收款人账号被表格软件改成了科学计数法"
    case accountNoNotDigits = "收款人账号只能包含数字"
    case accountNoLength = "收款人账号应为8到32位数字"
    case provinceMissing = "银行省份不能为空"
    case cityMissing = "银行城市不能为空"
    case bankMissing = "银行名称不能为空"
    case bankUnknown = "不支持该银行"
    case fieldTooLong = "银行省份、城市或支行名称过长"
    case amountInvalid = "付款金额格式不正确"
    case amountNotPositive = "付款金额必须大于0"
    case amountTooLarge = "付款金额超过单笔限额50000000.00元"
    case flagInvalid = "对公对私标志只能是1或2"
    case memoTooLong = "备注不能超过100个字"
}

/// The rules every uploaded row is checked against.
public enum BptbValidation {
    /// The file's columns, in order (seed 002 图2-2 and seed 003 表5-1).
    public static let columns = ["商户流水号", "收款人姓名", "收款人账号", "银行省份", "银行城市", "银行名称", "银行支行", "付款金额", "对公对私标志", "备注"]
    public static let maximumRows = 5_000
    public static let maximumAmount = Amount(fen: 5_000_000_000)

    /// Banks the simulated clearing reaches.
    public static let banks: Set<String> = [
        "中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "交通银行", "招商银行", "中国邮政储蓄银行", "中信银行", "中国光大银行",
        "华夏银行", "中国民生银行", "广发银行", "平安银行", "兴业银行", "上海浦东发展银行", "浙商银行", "渤海银行", "恒丰银行", "北京银行",
        "上海银行", "江苏银行", "宁波银行", "南京银行", "杭州银行", "徽商银行", "上海农村商业银行", "北京农村商业银行",
    ]

    /// Validates rows in file order, marking each invalid one with every problem it has. A serial
    /// number repeats only when an earlier *valid* row has it (the seed's example repeats one on an
    /// invalid row and still pays the valid one).
    public static func validate(_ rows: [BptbRow]) -> [BptbRow] {
        var seen = Set<String>()
        return rows.map { row in
            var row = row
            var problems = problems(row)
            if problems.isEmpty, seen.contains(row.serialNo) { problems.append(.serialNoDuplicate) }
            if problems.isEmpty {
                seen.insert(row.serialNo)
                row.status = .pending
                row.failure = nil
            } else {
                row.status = .invalid
                row.failure = problems.map(\.rawValue).joined(separator: "；")
            }
            return row
        }
    }

    /// A row's own problems (duplicates aside).
    public static func problems(_ row: BptbRow) -> [BptbRowProblem] {
        var problems: [BptbRowProblem] = []
        if row.serialNo.isEmpty { problems.append(.serialNoMissing) }
        else if row.serialNo.count > 32 { problems.append(.serialNoTooLong) }
        else if !row.serialNo.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }) {
            problems.append(.serialNoInvalid)
        }
        if row.payeeName.isEmpty { problems.append(.payeeNameMissing) } else if row.payeeName.count > 50 { problems.append(.payeeNameTooLong) }
        if let problem = accountProblem(row.accountNo) { problems.append(problem) }
        if row.province.isEmpty { problems.append(.provinceMissing) }
        if row.city.isEmpty { problems.append(.cityMissing) }
        if row.bankName.isEmpty { problems.append(.bankMissing) } else if !banks.contains(row.bankName) { problems.append(.bankUnknown) }
        if row.province.count > 20 || row.city.count > 20 || row.branch.count > 100 { problems.append(.fieldTooLong) }
        if let amount = row.amount {
            if amount.fen <= 0 { problems.append(.amountNotPositive) } else if amount > maximumAmount { problems.append(.amountTooLarge) }
        } else {
            problems.append(.amountInvalid)
        }
        if row.flag != "1", row.flag != "2" { problems.append(.flagInvalid) }
        if row.memo.count > 100 { problems.append(.memoTooLong) }
        return problems
    }

    /// Digits with `-` or spaces between groups (`10-023456789526`), 8 to 32 digits. A mantissa
    /// and exponent (`1.23457E+15`) is what a spreadsheet leaves of a long number.
    static func accountProblem(_ text: String) -> BptbRowProblem? {
        if text.isEmpty { return .accountNoMissing }
        let bytes = Array(text.utf8)
        let isScientific = bytes.contains { $0 == UInt8(ascii: "E") || $0 == UInt8(ascii: "e") } && bytes.contains(UInt8(ascii: "."))
            && bytes.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || "Ee.+-".utf8.contains($0) }
        if isScientific { return .accountNoScientific }
        guard bytes.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: " ") }),
              let first = bytes.first, let last = bytes.last, first >= 0x30, first <= 0x39, last >= 0x30, last <= 0x39 else {
            return .accountNoNotDigits
        }
        let digits = bytes.filter { $0 >= 0x30 && $0 <= 0x39 }.count
        return (8...32).contains(digits) ? nil : .accountNoLength
    }
}
