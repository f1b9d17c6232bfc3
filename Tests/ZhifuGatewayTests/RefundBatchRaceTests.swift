import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol
import ZhifuSDK

/// Refund batches racing each other and `alipay.trade.refund`, and seed 001's own sample request.
@Suite struct RefundBatchRaceTests {
    let batches = RefundBatchTests()
    let api = OpenAPITests()

    @Test(arguments: WorldStore.available)
    func batchesAndRefundsRacingOnATradeNeverRefundMoreThanWasPaid(store: WorldStore) async throws {
        let world = try await TestWorld.make(store: store)
        let buyerBefore = try await batches.balance(world, RefundBatchTests.buyer)
        let trade = RefundBatchTests.paidTrade
        try await world.app().test(.router) { client in
            // Three claims of 15.00 on a 20.00 trade: two batches confirmed at once and one alipay.trade.refund.
            var pages: [String] = []
            for serial in ["401", "402"] {
                pages.append(try await batches.submit(client, try batches.request(world, batchNo: world.today + serial, detail: "\(trade)^15.00^r")))
            }
            let refund = try api.request(world, method: "alipay.trade.refund", biz: #"{"trade_no":"\#(trade)","refund_amount":"15.00","out_request_no":"api"}"#)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for page in pages { group.addTask { _ = try await batches.confirm(client, page: page) } }
                group.addTask { _ = try await api.call(client, refund) }
                try await group.waitForAll()
            }
        }
        var successes = 0
        for serial in ["401", "402"] {
            let batch = try #require(try await world.gateway.store.refundBatch(partner: RefundBatchTests.seller, batchNo: world.today + serial))
            #expect(batch.status == .completed)
            successes += batch.successCount
        }
        if try await world.gateway.store.refund(tradeNo: trade, outRequestNo: "api") != nil { successes += 1 }
        #expect(successes == 1, "exactly one of three 15.00 claims on 20.00 wins")
        let stored = try #require(try await world.gateway.store.trade(tradeNo: trade))
        #expect(stored.refunded == Amount(fen: 1_500))
        #expect(try await batches.balance(world, RefundBatchTests.buyer) == buyerBefore + 1_500)
        #expect(try await world.gateway.store.audit().isBalanced)
    }

    /// Seed 001 §4.5: GBK detail_data, MD5, no _input_charset, against a fixture holding trade
    /// 2011011201037066 and partner 2088101008267254 (dates made current, signature recomputed).
    @Test func seed001SampleRequestIsAcceptedAndRefunds() async throws {
        let partner = "2088101008267254", key = "tpfoyf4aoio5e6zxoaydjevem2c1s1zo"
        let world = try await TestWorld.make(
            extraAccounts: #", {"userId": "\#(partner)", "logonId": "Jier1105@alitest.com", "name": "Jier", "password": "246810", "balance": "100.00"}"#,
            extraMerchants: #", {"partner": "\#(partner)", "md5Key": "\#(key)", "services": ["refund_fastpay_by_platform_pwd"]}"#,
            extraTrades: #", {"tradeNo": "2011011201037066", "partner": "\#(partner)", "buyer": "\#(TestWorld.buyer)", "outTradeNo": "seed-001", "amount": "5.00", "status": "TRADE_SUCCESS"}"#)
        let batchNo = world.today + "0001"
        var params = Parameters([("seller_email", "Jier1105@alitest.com"), ("batch_num", "1"),
                                 ("refund_date", world.gateway.configuration.calendar.timestamp(world.gateway.clock.now)),
                                 ("notify_url", "http://api.test.alipay.net/interface/receive_notify.htm"), ("service", "refund_fastpay_by_platform_pwd"),
                                 ("partner", partner), ("detail_data", "2011011201037066^5.00^协商退款"), ("batch_no", batchNo)])
        params["sign"] = try MD5Signer(key: key).sign(try #require(Charset.gbk.encode(SignContent.mapi(params))))
        params["sign_type"] = "MD5"
        let query = try #require(FormCoding.encode(params, charset: .gbk))
        #expect(query.contains("detail_data=2011011201037066%5E5.00%5E%D0%AD%C9%CC%CD%CB%BF%EE"), "the seed's bytes")
        try await world.app().test(.router) { client in
            let page = try await client.get("/gateway.do?" + query).1
            #expect(element("error-code", in: page) == nil)
            #expect(page.contains("<td>协商退款</td>") && element("total", in: page) == "总计: 1 笔, 交易退款 5.00 元, 返还服务费 0.00 元")
            let done = try await batches.confirm(client, page: page, account: "Jier1105@alitest.com", password: "246810")
            #expect(element("result", in: done) == "退款申请成功")
        }
        let told = try #require(try await batches.due(world)["batch_refund_notify"]?.first)
        #expect(told.charset == .gbk && told.signType == .md5)
        #expect(told.parameters["result_details"] == "2011011201037066^5.00^SUCCESS" && told.parameters["success_num"] == "1")
        #expect(try await world.gateway.store.trade(tradeNo: "2011011201037066")?.status == .tradeClosed)
    }
}
