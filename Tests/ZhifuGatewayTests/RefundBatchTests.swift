import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol
import ZhifuSDK

/// `refund_fastpay_by_platform_pwd` (seed 001): batch refunds confirmed with the seller's payment
/// password, each record a refund of its trade under the trades' own rules.
@Suite struct RefundBatchTests {
    static let service = "refund_fastpay_by_platform_pwd"
    static let seller = UserId(TestWorld.partner)!
    static let buyer = UserId(TestWorld.buyer)!
    /// The fixture trade paid by the buyer: 20.00.
    static let paidTrade = "2026112222001400000002"
    static let waitingTrade = "2026112222001400000001"
    let api = OpenAPITests()

    func batchNo(_ world: TestWorld, _ serial: String = "001") -> String { world.today + serial }

    /// A signed request with seed 001's business parameters (`refund_date` now on the gateway clock).
    func request(_ world: TestWorld, batchNo: String, detail: String, batchNum: String? = nil, notifyURL: String? = "http://127.0.0.1:1/n",
                 _ mutate: (inout Parameters) -> Void = { _ in }) throws -> Parameters {
        var params = Parameters([("seller_user_id", TestWorld.partner), ("refund_date", world.gateway.configuration.calendar.timestamp(world.gateway.clock.now)),
                                 ("batch_no", batchNo), ("batch_num", batchNum ?? String(detail.split(separator: "#").count)), ("detail_data", detail)])
        if let notifyURL { params["notify_url"] = notifyURL }
        mutate(&params)
        return try world.client().signedParameters(service: Self.service, params)
    }

    func submit(_ client: some TestClientProtocol, _ params: Parameters) async throws -> String {
        try await client.get("/gateway.do?" + FormCoding.encode(params, charset: .utf8)!).1
    }

    func confirm(_ client: some TestClientProtocol, page: String, account: String = TestWorld.payerLogon,
                 password: String = TestWorld.payerPassword) async throws -> String {
        let form = formEncode([("batch_id", inputValue("batch_id", in: page) ?? ""), ("token", inputValue("token", in: page) ?? ""),
                               ("account", account), ("password", password)])
        return try await client.post("/pages/batch_refund/confirm", form: form).1
    }

    /// Pays a new trade of `amount` from the buyer with a payment code; returns its trade_no.
    func paidTrade(_ world: TestWorld, _ client: some TestClientProtocol, _ outTradeNo: String, amount: String) async throws -> String {
        let code = try await world.gateway.trades.issuePaymentCode(buyer: Self.buyer)
        let biz = #"{"out_trade_no":"\#(outTradeNo)","scene":"bar_code","auth_code":"\#(code.code)","subject":"s","total_amount":"\#(amount)"}"#
        let paid = try await api.call(client, try api.request(world, method: "alipay.trade.pay", biz: biz, overrides: [("notify_url", "http://127.0.0.1:1/t")]))
        return try #require(paid.object["trade_no"])
    }

    func balance(_ world: TestWorld, _ id: UserId) async throws -> Int64 {
        try #require(try await world.gateway.store.account(userId: id)).balance.fen
    }

    /// Every notification due within a day, by notify_type (claimed: call once per test).
    func due(_ world: TestWorld) async throws -> [String: [OutboxNotification]] {
        Dictionary(grouping: try await world.gateway.store.claimDueNotifications(now: world.gateway.clock.now.addingTimeInterval(86_400), limit: 100,
                                                                                  leaseSeconds: 1), by: \.notifyType)
    }

    @Test func aConfirmedBatchRefundsEachTradeAndTellsTheMerchant() async throws {
        let world = try await TestWorld.make()
        let buyerBefore = try await balance(world, Self.buyer), sellerBefore = try await balance(world, Self.seller)
        try await world.app().test(.router) { client in
            let second = try await paidTrade(world, client, "rb-1", amount: "10.00")
            let page = try await submit(client, try request(world, batchNo: batchNo(world), detail: "\(Self.paidTrade)^4.00^协商退款#\(second)^10.00^全额退款"))
            #expect(element("total", in: page) == "总计: 2 笔, 交易退款 14.00 元, 返还服务费 0.00 元")
            #expect(page.contains("<th>交易号</th><th>收款人 email</th><th>退款金额(元)</th><th>退款类型</th><th>退款理由</th>"))
            #expect(page.contains("<td>15900005620</td>") && page.contains("<td>交易退款</td><td>协商退款</td>"))
            let wrong = try await confirm(client, page: page, password: "000000")
            #expect(element("error-code", in: wrong) == "USER_PASS_ERROR")
            let stranger = try await confirm(client, page: page, account: "15900005620", password: "111111")
            #expect(element("error-code", in: stranger) == "ACCOUNT_NOT_CONSISTENT", "only the seller confirms")
            let done = try await confirm(client, page: page)
            #expect(element("result", in: done) == "退款申请成功" && element("success-count", in: done) == "2")
            #expect(element("error-code", in: try await confirm(client, page: page)) == nil, "confirming again shows the result")

            // One set of rules with alipay.trade.refund: visible to the OpenAPI, a full refund closes the trade.
            let query = try await api.call(client, try api.request(world, method: "alipay.trade.fastpay.refund.query",
                                                                   biz: #"{"trade_no":"\#(Self.paidTrade)","out_request_no":"\#(batchNo(world))"}"#))
            #expect(query.object["refund_amount"] == "4.00" && query.object["refund_reason"] == "协商退款")
            let closed = try await api.call(client, try api.request(world, method: "alipay.trade.query", biz: #"{"trade_no":"\#(second)"}"#))
            #expect(closed.object["trade_status"] == "TRADE_CLOSED")
        }
        #expect(try await balance(world, Self.buyer) == buyerBefore - 1_000 + 1_400)
        #expect(try await balance(world, Self.seller) == sellerBefore + 1_000 - 1_400)
        let notifications = try await due(world)
        let told = try #require(notifications["batch_refund_notify"])
        #expect(told.count == 1 && told[0].parameters["batch_no"] == batchNo(world) && told[0].parameters["success_num"] == "2")
        #expect(told[0].signType == .md5 && told[0].protocol == .mapi)
        let second = try #require(try await world.gateway.store.trade(partner: Self.seller, outTradeNo: "rb-1")).tradeNo
        #expect(told[0].parameters["result_details"] == "\(Self.paidTrade)^4.00^SUCCESS#\(second)^10.00^SUCCESS")
        let synced = (notifications["trade_status_sync"] ?? []).filter { $0.parameters["out_biz_no"] == batchNo(world) }
        #expect(synced.count == 1, "the trade with a notify_url is told of its refund, as alipay.trade.refund's are")
        #expect(try await world.gateway.store.audit().isBalanced)
    }

    @Test func aMixedBatchRefundsWhatItCanAndReportsEachRecord() async throws {
        let world = try await TestWorld.make(
            extraAccounts: #", {"userId": "2088102000000001", "logonId": "other@zhifu.test", "name": "x", "balance": "100.00"}"#,
            extraMerchants: #", {"partner": "2088102000000001", "md5Key": "ddyzqyg4yy3rbvq0cqmnuwezyn2mhp5j", "services": ["*"]}"#, onDisk: true)
        try await world.tamper("UPDATE trades SET partner = '2088102000000001' WHERE out_trade_no = 'order-wait'")
        let clearingBefore = try await balance(world, SystemAccounts.clearing)
        try await world.app().test(.router) { client in
            let partial = try await paidTrade(world, client, "rb-2", amount: "5.00")
            let created = try await api.call(client, try api.request(world, method: "alipay.trade.create",
                                                                     biz: #"{"out_trade_no":"rb-wait","total_amount":"3.00","subject":"s"}"#))
            let waiting = try #require(created.object["trade_no"])
            let detail = [
                "\(Self.paidTrade)^1.00^ok$15900005620^\(TestWorld.buyer)^0.15",  // refunded, fee returned to the buyer
                "2026112299999999999999^1.00^unknown",  // no such trade
                "\(Self.waitingTrade)^1.00^other merchant's",  // moved to another partner above
                "\(partial)^5.01^too much",
                "\(waiting)^1.00^not paid",
            ].joined(separator: "#")
            var page = try await submit(client, try request(world, batchNo: batchNo(world), detail: detail))
            #expect(element("total", in: page) == "总计: 6 笔, 交易退款 9.01 元, 返还服务费 0.15 元")
            #expect(page.contains("<td>返还服务费</td><td>退收费</td>"))
            page = try await confirm(client, page: page)
            #expect(element("success-count", in: page) == "1")
        }
        let told = try #require(try await due(world)["batch_refund_notify"]?.first)
        #expect(told.parameters["success_num"] == "1")
        let results = try RefundResultDetail.parse(try #require(told.parameters["result_details"]))
        #expect(results.map(\.result) == ["SUCCESS", "NOT_THIS_PARTNERS_TRADE", "NOT_THIS_PARTNERS_TRADE", "REFUND_AMOUNT_NOT_VALID", "TRADE_STATUS_ERROR"])
        #expect(results[0].feeResult == .init(account: "15900005620", userId: TestWorld.buyer, amount: Amount(fen: 15), result: "SUCCESS"))
        #expect(try await balance(world, SystemAccounts.clearing) == clearingBefore - 15, "the returned fee comes from the clearing account")
        #expect(try await world.gateway.store.audit().isBalanced)
    }
}
