import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol
import ZhifuSDK

/// Seed 001's error codes (§9.1), each triggered by a request, their precedence, and the rules a
/// refund batch shares with `alipay.trade.refund`.
@Suite struct RefundBatchRuleTests {
    let batches = RefundBatchTests()
    let api = OpenAPITests()
    static let paid = RefundBatchTests.paidTrade

    func code(_ client: some TestClientProtocol, _ params: Parameters) async throws -> String? {
        element("error-code", in: try await batches.submit(client, params))
    }

    /// One fault each, highest precedence first. Applied from the lowest up, so a higher fault
    /// overrides a lower one on the same field; the expected code is the highest applied.
    static let faults: [(code: String, apply: @Sendable (inout Parameters, TestWorld) -> Void)] = [
        ("ILLEGAL_ARGUMENT", { p, _ in p["seller_user_id"] = nil; p["seller_email"] = nil }),
        ("REFUND_DATE_ERROR", { p, _ in p["refund_date"] = "2011-01-12" }),
        ("BATCH_NO_FORMAT_ERROR", { p, w in p["batch_no"] = w.today + "000" }),
        ("BATCH_NUM_ERROR", { p, _ in p["batch_num"] = "x" }),
        ("BATCH_NUM_EXCEED_LIMIT", { p, _ in p["batch_num"] = "1001" }),
        ("DETAIL_DATA_FORMAT_ERROR", { p, _ in p["detail_data"] = "abc" }),
        ("BATCH_NUM_NOT_EQUAL_TOTAL", { p, _ in p["batch_num"] = "2" }),
        ("DUPLICATE_BATCH_NO", { p, w in p["batch_no"] = w.today + "dup1" }),
        ("BATCH_NO_FORMAT_ERROR", { p, _ in p["batch_no"] = "20110112" + "0001" }),
        ("SELLER_INFO_NOT_EXIST", { p, _ in p["seller_user_id"] = "2088999999999999" }),
    ]

    @Test func requestErrorsFollowTheirPrecedence() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            // The batch whose number the DUPLICATE_BATCH_NO fault reuses with other content.
            let stored = try batches.request(world, batchNo: world.today + "dup1", detail: "\(Self.paid)^1.00^r")
            #expect(try await code(client, stored) == nil)
            for index in Self.faults.indices {
                let params = try batches.request(world, batchNo: world.today + "002", detail: "\(Self.paid)^2.00^r") { p in
                    for fault in Self.faults[index...].reversed() { fault.apply(&p, world) }
                }
                #expect(try await code(client, params) == Self.faults[index].code, "fault \(index) and every lower one")
            }
        }
    }

    @Test(arguments: [
        ("seller_email", "nobody@zhifu.test", "SELLER_INFO_NOT_EXIST"),
        ("seller_user_id", "20881", "SELLER_INFO_NOT_EXIST"),
        ("refund_date", "2011-01-12 25:00:00", "REFUND_DATE_ERROR"),
        ("batch_no", "2011", "BATCH_NO_FORMAT_ERROR"),
        ("batch_no", "TODAYab-c", "BATCH_NO_FORMAT_ERROR"),
        ("batch_no", "TODAY1234567890123456789012345", "BATCH_NO_FORMAT_ERROR"),
        ("batch_num", "0", "BATCH_NUM_ERROR"),
        ("batch_num", "-1", "BATCH_NUM_ERROR"),
        ("detail_data", "T^1.00", "DETAIL_DATA_FORMAT_ERROR"),
        ("detail_data", "T^0.00^r", "REFUND_AMOUNT_NOT_VALID"),
        ("detail_data", "T^1.001^r", "REFUND_AMOUNT_NOT_VALID"),
        ("detail_data", "T^1.00^r|a@x^2088102000000001^b@x^2088102000000002^1.00^r", "PWD_REFUND_NOT_ALLOW_ROYALTY"),
        ("detail_data", "T^1.00^r$15900005620^2088104000000001^0.00", "REFUND_CHARGE_FEE_ERROR"),
        ("detail_data", "T^1.00^r$15900005620", "DETAIL_DATA_FORMAT_ERROR"),
        ("notify_url", "ftp://shop/notify", "ILLEGAL_ARGUMENT"),
    ])
    func malformedFieldsAreRefusedWithSeed001Codes(field: String, value: String, expected: String) async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let params = try batches.request(world, batchNo: world.today + "003", detail: "\(Self.paid)^1.00^r") { p in
                if field == "seller_email" { p["seller_user_id"] = nil }  // the id wins when both are sent
                p[field] = value.replacingOccurrences(of: "TODAY", with: world.today).replacingOccurrences(of: "T^", with: "\(Self.paid)^")
            }
            #expect(try await code(client, params) == expected)
        }
        #expect(try await world.gateway.store.refundBatch(partner: RefundBatchTests.seller, batchNo: world.today + "003") == nil)
    }

    @Test func twoRecordsOfOneTradeAndOverlongReasonsAreRefused() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let twice = try batches.request(world, batchNo: world.today + "004", detail: "\(Self.paid)^1.00^a#\(Self.paid)^2.00^b")
            #expect(try await code(client, twice) == "DUBL_TRADE_NO_IN_SAME_BATCH")
            // 退款理由 ≤ 256 bytes in the request's charset: 86 × 退 is 258 bytes in UTF-8, 172 in GBK.
            let reason = String(repeating: "退", count: 86)
            let long = try batches.request(world, batchNo: world.today + "005", detail: "\(Self.paid)^1.00^\(reason)")
            #expect(try await code(client, long) == "SINGLE_DETAIL_DATA_EXCEED_LIMIT")
            var gbk = long
            gbk["_input_charset"] = "gbk"
            gbk["sign"] = MD5Signer(key: TestWorld.md5Key).sign(try #require(Charset.gbk.encode(SignContent.mapi(gbk))))
            let page = try await client.get("/gateway.do?" + FormCoding.encode(gbk, charset: .gbk)!).1
            #expect(element("error-code", in: page) == nil && page.contains(reason))
        }
    }

    @Test func partialRefundsUpToThePaidAmountThenNoMore() async throws {
        let world = try await TestWorld.make()
        let buyerBefore = try await batches.balance(world, RefundBatchTests.buyer)
        try await world.app().test(.router) { client in
            func refund(_ serial: String, _ amount: String) async throws -> String? {
                let page = try await batches.submit(client, try batches.request(world, batchNo: world.today + serial, detail: "\(Self.paid)^\(amount)^r"))
                let done = try await batches.confirm(client, page: page)
                let batch = try #require(try await world.gateway.store.refundBatch(partner: RefundBatchTests.seller, batchNo: world.today + serial))
                #expect(element("success-count", in: done) == String(batch.successCount))
                return batch.records.first?.result
            }
            var results: [String?] = []
            for (serial, amount) in [("101", "8.00"), ("102", "12.01"), ("103", "12.00"), ("104", "0.01")] { results.append(try await refund(serial, amount)) }
            // Over what is left refused; the rest refunded; then the trade is closed.
            #expect(results == ["SUCCESS", "REFUND_AMOUNT_NOT_VALID", "SUCCESS", "TRADE_STATUS_ERROR"])
        }
        #expect(try await batches.balance(world, RefundBatchTests.buyer) == buyerBefore + 2_000)
        #expect(try await world.gateway.store.trade(tradeNo: Self.paid)?.status == .tradeClosed)
    }

    @Test func aTradeTakesAtMost99Refunds() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            for n in 1...99 {
                let biz = #"{"trade_no":"\#(Self.paid)","refund_amount":"0.01","out_request_no":"r\#(n)"}"#
                #expect(try await api.call(client, try api.request(world, method: "alipay.trade.refund", biz: biz)).object["code"] == "10000")
            }
            let page = try await batches.submit(client, try batches.request(world, batchNo: world.today + "199", detail: "\(Self.paid)^0.01^r"))
            #expect(element("success-count", in: try await batches.confirm(client, page: page)) == "0")
        }
        let batch = try #require(try await world.gateway.store.refundBatch(partner: RefundBatchTests.seller, batchNo: world.today + "199"))
        #expect(batch.records.first?.result == "TRADE_STATUS_ERROR")
        #expect(try await world.gateway.store.trade(tradeNo: Self.paid)?.refunded == Amount(fen: 99))
    }

    @Test func recordsOfAnotherSellerAndShortBalancesFailAlone() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            // The buyer as seller: the partner's trades are not the buyer's (NOT_THIS_SELLER_TRADE).
            let foreign = try batches.request(world, batchNo: world.today + "301", detail: "\(Self.paid)^1.00^r") { $0["seller_user_id"] = TestWorld.buyer }
            let page = try await batches.submit(client, foreign)
            _ = try await batches.confirm(client, page: page, account: "15900005620", password: "111111")
            // The seller spends all but 0.50: a 1.00 refund fails for the balance, the fee to an unknown account too.
            let seller = try await batches.balance(world, RefundBatchTests.seller)
            _ = try await world.gateway.store.post([Transfer(id: "drain", debit: RefundBatchTests.seller, credit: RefundBatchTests.buyer,
                                                             amount: Amount(fen: seller - 50), code: .batchTrans, reference: "test", createdAt: world.gateway.clock.now)])
            let short = try batches.request(world, batchNo: world.today + "302", detail: "\(Self.paid)^1.00^r$nobody@zhifu.test^2088104000000009^0.10")
            _ = try await batches.confirm(client, page: try await batches.submit(client, short))
            let fee = try batches.request(world, batchNo: world.today + "303", detail: "\(Self.paid)^0.50^r$15900005620^2088104000000009^0.10")
            _ = try await batches.confirm(client, page: try await batches.submit(client, fee))
        }
        func results(_ serial: String) async throws -> [String?] {
            let batch = try #require(try await world.gateway.store.refundBatch(partner: RefundBatchTests.seller, batchNo: world.today + serial))
            return batch.records.flatMap { [$0.result, $0.feeResult] }
        }
        #expect(try await results("301") == ["NOT_THIS_SELLER_TRADE", nil])
        #expect(try await results("302") == ["TXN_RESULT_ACCOUNT_BALANCE_NOT_ENOUGH", "TXN_RESULT_ACCOUNT_BALANCE_NOT_ENOUGH"])
        #expect(try await results("303") == ["SUCCESS", "RESULT_ACCOUNT_NO_NOT_VALID"], "the fee account's id must be the logon id's")
        #expect(try await world.gateway.store.audit().isBalanced)
    }

    @Test func aBlockedSellerCannotSubmitAndNothingIsStored() async throws {
        let world = try await TestWorld.make()
        try await world.gateway.store.setAccountStatus(userId: RefundBatchTests.seller, .blocked)
        let params = try batches.request(world, batchNo: world.today + "501", detail: "\(Self.paid)^1.00^r")
        let answer = try await world.app().test(.router) { client in try await code(client, params) }
        #expect(answer == "USER_BLOCK_STATUS")
        #expect(try await world.gateway.store.refundBatch(partner: RefundBatchTests.seller, batchNo: world.today + "501") == nil)
        #expect(try await world.gateway.store.trade(tradeNo: Self.paid)?.refunded == .zero)
    }
}
