import Testing
import ZhifuCore
import ZhifuProtocol

/// Each row rule of a payout file, on seed 002 图2-2's own example rows (with 对公对私标志 2 added,
/// since the page does not show that column).
@Suite struct BptbValidationTests {
    static func row(_ serial: String, _ name: String, _ account: String, _ province: String, _ city: String,
                    bank: String = "中国农业银行", branch: String = "安徽省阜阳市分行核算中心", amount: String = "1.00", flag: String = "2",
                    memo: String = "") -> BptbRow {
        BptbRow(serialNo: serial, payeeName: name, accountNo: account, province: province, city: city, bankName: bank, branch: branch,
                amountText: amount, flag: flag, memo: memo)
    }

    /// The seven rows of 图2-2, in order.
    static let seedRows = [
        row("20080515001", "张三", "1.23457E+15", "", "阜阳"),
        row("20080515001", "张美", "10-023456789526", "安徽省", "阜阳"),
        row("20080515001", "张三", "00-123456789526894", "安徽", "阜阳"),
        row("sf20080515001", "张三", "9.91235E+16", "", "阜阳"),
        row("sf20080515001", "张三", "9.81835E+16", "安徽", ""),
        row("sf20080515001", "张三", "1.83457E+14", "", ""),
        row("sf20080515001", "张三", "!!183456789526894", "安徽省", ""),
    ]

    func problems(_ row: BptbRow) -> Set<BptbRowProblem> { Set(BptbValidation.problems(row)) }

    @Test func theSeedsExampleFilePassesOnlyItsSecondRow() {
        let rows = BptbValidation.validate(Self.seedRows)
        #expect(rows.map(\.status) == [.invalid, .pending, .invalid, .invalid, .invalid, .invalid, .invalid])
        #expect(rows[0].failure == "收款人账号被表格软件改成了科学计数法；银行省份不能为空")
        #expect(rows[2].failure == BptbRowProblem.serialNoDuplicate.rawValue, "the third row repeats the valid second row's serial number")
    }

    @Test func aMissingProvinceOrCityFailsTheRow() {
        #expect(problems(Self.seedRows[3]).contains(.provinceMissing))
        #expect(problems(Self.seedRows[4]) == [.accountNoScientific, .cityMissing])
        #expect(problems(Self.seedRows[5]).isSuperset(of: [.provinceMissing, .cityMissing]))
    }

    @Test func anAccountNumberTheSpreadsheetTurnedIntoScientificNotationFails() {
        for account in ["1.23457E+15", "9.91235E+16", "1.83457E+14", "6.22848e+18"] {
            #expect(BptbValidation.problems(Self.row("a1", "张三", account, "安徽", "阜阳")) == [.accountNoScientific], "\(account)")
        }
    }

    @Test func anAccountNumberWithCharactersOtherThanDigitsFails() {
        #expect(problems(Self.seedRows[6]) == [.accountNoNotDigits, .cityMissing])
        #expect(BptbValidation.problems(Self.row("a1", "张三", "6222 0000 1234 5678", "安徽", "阜阳")).isEmpty, "digits in groups are an account number")
        #expect(BptbValidation.problems(Self.row("a1", "张三", "6222-", "安徽", "阜阳")) == [.accountNoNotDigits])
        #expect(BptbValidation.problems(Self.row("a1", "张三", "1234567", "安徽", "阜阳")) == [.accountNoLength])
        #expect(BptbValidation.problems(Self.row("a1", "张三", "", "安徽", "阜阳")) == [.accountNoMissing])
    }

    @Test func badAmountsFail() {
        for (amount, problem) in [("abc", BptbRowProblem.amountInvalid), ("1.234", .amountInvalid), ("-1.00", .amountInvalid), ("", .amountInvalid),
                                  ("0.00", .amountNotPositive), ("50000000.01", .amountTooLarge), ("1e3", .amountInvalid)] {
            #expect(BptbValidation.problems(Self.row("a1", "张三", "6222000012345678", "安徽", "阜阳", amount: amount)) == [problem], "\(amount)")
        }
        #expect(BptbValidation.problems(Self.row("a1", "张三", "6222000012345678", "安徽", "阜阳", amount: "50000000.00")).isEmpty)
    }

    @Test func anUnknownOrMissingBankFails() {
        #expect(BptbValidation.problems(Self.row("a1", "张三", "6222000012345678", "安徽", "阜阳", bank: "火星银行")) == [.bankUnknown])
        #expect(BptbValidation.problems(Self.row("a1", "张三", "6222000012345678", "安徽", "阜阳", bank: "")) == [.bankMissing])
    }

    @Test func theOtherFieldsAreCheckedToo() {
        let ok = Self.row("a1", "张三", "6222000012345678", "安徽", "阜阳")
        #expect(BptbValidation.problems(ok).isEmpty)
        var row = ok; row.flag = "3"
        #expect(BptbValidation.problems(row) == [.flagInvalid])
        row = ok; row.payeeName = ""
        #expect(BptbValidation.problems(row) == [.payeeNameMissing])
        row = ok; row.serialNo = ""
        #expect(BptbValidation.problems(row) == [.serialNoMissing])
        row = ok; row.serialNo = "流水1"
        #expect(BptbValidation.problems(row) == [.serialNoInvalid])
        row = ok; row.serialNo = String(repeating: "1", count: 33)
        #expect(BptbValidation.problems(row) == [.serialNoTooLong])
        row = ok; row.memo = String(repeating: "备", count: 101)
        #expect(BptbValidation.problems(row) == [.memoTooLong])
    }

    @Test func aSerialNumberRepeatedAfterAValidRowFailsButNotAfterAnInvalidOne() {
        let valid = Self.row("r1", "张三", "6222000012345678", "安徽", "阜阳")
        let invalid = Self.row("r1", "张三", "6222000012345678", "", "阜阳")
        #expect(BptbValidation.validate([invalid, valid, valid]).map(\.status) == [.invalid, .pending, .invalid])
    }

    @Test func aFileNamedWithoutABatchNumberIsListedUnderItsLowercaseNameWithoutExtension() {
        let file = BptbFile(id: "B1", partner: UserId("2088002464631181")!, fileName: "BPTB_20101220_4178.csv", fingerprint: "", status: .uploaded,
                            uploadedAt: .init(timeIntervalSince1970: 0), rows: [])
        #expect(file.batchName == "bptb_20101220_4178")
    }
}
