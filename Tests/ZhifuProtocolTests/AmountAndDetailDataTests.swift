import Testing
@testable import ZhifuProtocol

@Suite struct AmountTests {
    @Test(arguments: [("20", 2000), ("20.0", 2000), ("20.00", 2000), ("0.01", 1), ("0", 0), ("99999999.99", 9_999_999_999),
                      ("020.50", 2050), ("92233720368547758.07", Int64.max)] as [(String, Int64)])
    func validAmountsParseExactly(text: String, fen: Int64) {
        #expect(Amount(text)?.fen == fen)
    }

    @Test(arguments: ["20.001", "-1", "1e3", "", " 1", "1 ", "NaN", "+1", "20.", ".5", "1,000.00", "92233720368547758.08",
                      "99999999999999999999", "0x10", "２０"])
    func invalidAmountsAreRefused(text: String) {
        #expect(Amount(text) == nil)
    }

    @Test func amountsPrintWithTwoDecimals() {
        #expect(Amount(fen: 2000).description == "20.00")
        #expect(Amount(fen: 1).description == "0.01")
        #expect(Amount(fen: 0).description == "0.00")
        #expect(Amount(fen: -105).description == "-1.05")
    }

    @Test func sumReportsOverflow() {
        #expect(Amount.sum([Amount(fen: 1), Amount(fen: 2)]) == Amount(fen: 3))
        #expect(Amount.sum([Amount(fen: .max), Amount(fen: 1)]) == nil)
    }
}

@Suite struct BatchTransDetailTests {
    @Test func seedSampleDetailDataParses() throws {
        let details = try BatchTransDetail.parse("0315006^testture0002@126.com^常炜买家二^20.00^hello|0315001^testture0002@126.com^常炜买家二^20.00^hello")
        #expect(details.count == 2)
        #expect(details[0] == BatchTransDetail(serialNo: "0315006", payeeAccount: "testture0002@126.com", payeeName: "常炜买家二",
                                               amount: Amount(fen: 2000), remark: "hello"))
        #expect(details[1].serialNo == "0315001")
    }

    @Test func trailingSeparatorIsTolerated() throws {
        #expect(try BatchTransDetail.parse("1^a@b.c^名^1.00^x|").count == 1)
    }

    @Test func emptyRemarkIsAllowed() throws {
        #expect(try BatchTransDetail.parse("1^a@b.c^名^1.00^")[0].remark == "")
    }

    @Test func thousandRecordsAreAcceptedAndOneMoreIsNot() throws {
        let records = (1...1001).map { "\($0)^p\($0)@zhifu.test^名^0.01^" }
        #expect(try BatchTransDetail.parse(records.prefix(1000).joined(separator: "|")).count == 1000)
        #expect(throws: DetailDataError(.batchNumExceedLimit, "1001 records, at most 1000")) {
            try BatchTransDetail.parse(records.joined(separator: "|"))
        }
    }

    @Test(arguments: [
        ("", nil), ("1^a@b.c^名^1.00", 1), ("1^a@b.c^名^1.00^x^y", 1), ("1^a@b.c^名^1.001^x", 1), ("1^a@b.c^名^0.00^x", 1),
        ("1^a@b.c^名^-1^x", 1), ("^a@b.c^名^1.00^x", 1), ("1^^名^1.00^x", 1), ("1^a@b.c^^1.00^x", 1),
        ("1^a@b.c^名^1.00^x|1^d@e.f^名^2.00^y", 2), ("1^a@b.c^名^1.00^x||2^d@e.f^名^2.00^y", 2),
    ] as [(String, Int?)])
    func malformedRecordsAreRefusedWithTheirRecordNumber(text: String, record: Int?) {
        do {
            _ = try BatchTransDetail.parse(text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.code == .illegalArgument)
            #expect(error.record == record)
        }
    }
}

@Suite struct TransResultDetailTests {
    static let seedSuccess = "0315001^gonglei1@handsome.com.cn^龚本林^20.00^S^null^200810248427067^20081024143652|"
    static let seedFail = "0315006^xinjie_xj@163.com^星辰公司1^20.00^F^TXN_RESULT_TRANSFER_OUT_CAN_NOT_EQUAL_IN^200810248427065^20081024143651|"

    @Test func seedSampleNotificationDetailsRoundTrip() throws {
        let success = try TransResultDetail.parse(Self.seedSuccess)
        #expect(success.count == 1 && success[0].succeeded && success[0].reason == "null" && success[0].innerNo == "200810248427067")
        #expect(TransResultDetail.format(success) == Self.seedSuccess)
        let fail = try TransResultDetail.parse(Self.seedFail)
        #expect(!fail[0].succeeded && fail[0].reason == "TXN_RESULT_TRANSFER_OUT_CAN_NOT_EQUAL_IN")
        #expect(TransResultDetail.format(fail) == Self.seedFail)
    }

    @Test func malformedResultDetailsAreRefused() {
        #expect(throws: DetailDataError.self) { try TransResultDetail.parse("0315001^a^b^20.00^X^null^1^20081024143652|") }
        #expect(throws: DetailDataError.self) { try TransResultDetail.parse("0315001^a^b^20.00^S^null^1|") }
        #expect(throws: DetailDataError.self) { try TransResultDetail.parse("0315001^a^b^20.00^S^null^1^2008102414365|") }
    }
}

@Suite struct RefundDetailTests {
    @Test func seedSampleParses() throws {
        let details = try RefundDetail.parse("2011011201037066^5.00^协商退款")
        #expect(details == [RefundDetail(tradeNo: "2011011201037066", amount: Amount(fen: 500), reason: "协商退款", feeRefund: nil)])
    }

    @Test func feeRefundPartAfterDollarParses() throws {
        let details = try RefundDetail.parse("2010031906272929^80^协商退款$jax_chuanhang@alipay.com^2088101003147483^0.01#2010031906272930^1.00^x")
        #expect(details.count == 2)
        #expect(details[0].feeRefund == .init(account: "jax_chuanhang@alipay.com", userId: "2088101003147483", amount: Amount(fen: 1)))
        #expect(details[1].feeRefund == nil)
    }

    @Test func errorsCarryTheSeedCodes() {
        func code(_ text: String) -> MAPIError? {
            do { _ = try RefundDetail.parse(text); return nil } catch { return error.code }
        }
        #expect(code("") == .detailDataFormatError)
        #expect(code("1^5.00") == .detailDataFormatError)
        #expect(code("1^5.001^x") == .refundAmountNotValid)
        #expect(code("1^5.00^x#1^1.00^y") == .dublTradeNoInSameBatch)
        #expect(code("1^5.00^" + String(repeating: "退", count: 86)) == .singleDetailDataExceedLimit)
        #expect(code("1^5.00^x|2088^1.00^royalty") == .pwdRefundNotAllowRoyalty)
        #expect(code("1^5.00^x$a^2088^bad") == .refundChargeFeeError)
        #expect(code(Array(repeating: "1^1.00^x", count: 1001).enumerated().map { "\($0.offset)^1.00^x" }.joined(separator: "#")) == .batchNumExceedLimit)
    }

    @Test func seedSampleResultDetailsRoundTrip() throws {
        let text = "2010031906272929^80^SUCCESS$jax_chuanhang@alipay.com^2088101003147483^0.01^SUCCESS"
        let details = try RefundResultDetail.parse(text)
        #expect(details[0].amount == Amount(fen: 8000) && details[0].feeResult?.result == "SUCCESS")
        #expect(RefundResultDetail.format(details) == "2010031906272929^80.00^SUCCESS$jax_chuanhang@alipay.com^2088101003147483^0.01^SUCCESS")
    }
}

@Suite struct ExtendParamTests {
    @Test func seedSampleParses() throws {
        let pairs = try ExtendParam.parse("agent^123456")
        #expect(pairs.count == 1 && pairs[0].name == "agent" && pairs[0].value == "123456")
        #expect(try ExtendParam.parse("a^1|b^2").count == 2)
        #expect(try ExtendParam.parse("").isEmpty)
    }

    @Test func malformedOrLongExtendParamIsRefused() {
        #expect(throws: DetailDataError.self) { try ExtendParam.parse("agent") }
        #expect(throws: DetailDataError.self) { try ExtendParam.parse("^1") }
        #expect(throws: DetailDataError.self) { try ExtendParam.parse("a^" + String(repeating: "x", count: 200)) }
    }
}

@Suite struct ErrorCodeTests {
    @Test func mapiCodesAreUniqueUpperCaseAndHaveMeanings() {
        let codes = MAPIError.allCases.map(\.rawValue)
        #expect(Set(codes).count == codes.count)
        #expect(codes.allSatisfy { $0.allSatisfy { $0.isUppercase || $0.isNumber || $0 == "_" } })
        #expect(MAPIError.allCases.allSatisfy { !$0.meaning.isEmpty })
        #expect(MAPIError.illegalSign.rawValue == "ILLEGAL_SIGN")
        #expect(MAPIError.userBlockStatus.meaning == "email 账户被冻结")
        #expect(MAPIError.txnResultAccountBalanceNotEnough.rawValue == "TXN_RESULT_ACCOUNT_BALANCE_NOT_ENOUGH")
    }

    @Test func openAPICommonErrorsFollowSeed004() {
        #expect(OpenAPIError.isvInvalidSignature == OpenAPIError(code: "40002", subCode: "isv.invalid-signature", subMsg: "无效签名"))
        #expect(OpenAPIError.isvMissingMethod.code == "40001")
        #expect(OpenAPIError.aopInvalidAppAuthToken.code == "20001")
        #expect(OpenAPIError.isvInsufficientIsvPermissions.code == "40006")
        #expect(Set(OpenAPIError.all.compactMap(\.subCode)).count == OpenAPIError.all.count)
        #expect(OpenAPIError.business("ACQ.TRADE_NOT_EXIST", "交易不存在").code == "40004")
    }

    /// The wire msg is Alipay's English text (clients compare `msg == "Success"`); sub_msg stays Chinese.
    @Test func openAPIMsgIsAlipaysEnglishTextPerCode() {
        let expected = ["20000": "Service Currently Unavailable", "20001": "Insufficient Token Permissions",
                        "40001": "Missing Required Arguments", "40002": "Invalid Arguments", "40006": "Insufficient Permissions"]
        for error in OpenAPIError.all { #expect(error.msg == expected[error.code], "\(error.code)") }
        #expect(OpenAPIError.business("ACQ.TRADE_NOT_EXIST", "交易不存在").msg == "Business Failed")
        #expect(OpenAPIError.business("ACQ.TRADE_NOT_EXIST", "交易不存在").subMsg == "交易不存在")
    }
}
