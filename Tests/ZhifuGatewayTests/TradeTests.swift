import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol
import ZhifuSDK

/// alipay.trade.pay, precreate, refund, fastpay.refund.query, page.refund, order.settle,
/// orderinfo.sync, advance.consult, timeouts, currencies, app_auth_token and trade_status_sync.
@Suite struct TradeTests {
    let api = OpenAPITests()
    static let buyer = UserId(TestWorld.buyer)!
    static let seller = UserId(TestWorld.partner)!

    func balance(_ world: TestWorld, _ id: UserId) async throws -> Int64 {
        try #require(try await world.gateway.store.account(userId: id)).balance.fen
    }

    func payBiz(_ outTradeNo: String, code: String, amount: String = "10.00", extra: String = "") -> String {
        #"{"out_trade_no":"\#(outTradeNo)","scene":"bar_code","auth_code":"\#(code)","subject":"Iphone6 16G","total_amount":"\#(amount)"\#(extra)}"#
    }

    // MARK: alipay.trade.pay

    @Test func payByPaymentCodeMovesTheMoneyAndUsesTheCodeUp() async throws {
        let world = try await TestWorld.make()
        let buyerBefore = try await balance(world, Self.buyer), sellerBefore = try await balance(world, Self.seller)
        let code = try await world.gateway.trades.issuePaymentCode(buyer: Self.buyer)
        #expect(PaymentCode.isWellFormed(code.code) && code.code.hasPrefix("28") && code.code.count == 18)
        try await world.app().test(.router) { client in
            let paid = try await api.call(client, try api.request(world, method: "alipay.trade.pay", biz: payBiz("pay-1", code: code.code)))
            #expect(paid.key == "alipay_trade_pay_response" && paid.object["code"] == "10000" && paid.object["msg"] == "Success")
            #expect(paid.object["out_trade_no"] == "pay-1" && paid.object["buyer_logon_id"] == "159****5620")
            #expect(paid.object["total_amount"] == "10.00" && paid.object["receipt_amount"] == "10.00" && paid.object["buyer_pay_amount"] == "10.00")
            #expect(paid.object["buyer_user_id"] == TestWorld.buyer && paid.object["gmt_payment"]?.count == 19)
            #expect(paid.raw.contains(#""fund_bill_list":[{"fund_channel":"ALIPAYACCOUNT","amount":"10.00"}]"#))
            // The same code again: used up.
            let reused = try await api.call(client, try api.request(world, method: "alipay.trade.pay", biz: payBiz("pay-2", code: code.code)))
            #expect(reused.object["code"] == "40004" && reused.object["sub_code"] == "ACQ.PAYMENT_AUTH_CODE_INVALID")
            // The same order with a fresh code: already paid.
            let fresh = try await world.gateway.trades.issuePaymentCode(buyer: Self.buyer)
            let twice = try await api.call(client, try api.request(world, method: "alipay.trade.pay", biz: payBiz("pay-1", code: fresh.code)))
            #expect(twice.object["sub_code"] == "ACQ.TRADE_HAS_SUCCESS" && twice.object["sub_msg"] == "交易已被支付")
            let query = try await api.call(client, try api.request(world, method: "alipay.trade.query", biz: #"{"out_trade_no":"pay-1"}"#))
            #expect(query.object["trade_status"] == "TRADE_SUCCESS" && query.object["buyer_user_id"] == TestWorld.buyer)
        }
        #expect(try await balance(world, Self.buyer) == buyerBefore - 1_000)
        #expect(try await balance(world, Self.seller) == sellerBefore + 1_000)
        #expect(try await world.gateway.store.trade(partner: Self.seller, outTradeNo: "pay-2") == nil, "a refused code creates nothing")
        #expect(try await world.gateway.store.audit().isBalanced)
    }

    @Test(arguments: [
        ("1234567890123456", "ACQ.PAYMENT_AUTH_CODE_INVALID"),  // does not start 25–30
        ("28123", "ACQ.PAYMENT_AUTH_CODE_INVALID"),  // too short
        ("281234567890123456", "ACQ.PAYMENT_AUTH_CODE_INVALID"),  // never issued
        ("28abcdefghijklmnop", "ACQ.PAYMENT_AUTH_CODE_INVALID"),
    ])
    func malformedOrUnknownPaymentCodesAreRefused(code: String, subCode: String) async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let answer = try await api.call(client, try api.request(world, method: "alipay.trade.pay", biz: payBiz("pay-x", code: code)))
            #expect(answer.object["code"] == "40004" && answer.object["sub_code"] == subCode)
        }
        #expect(try await world.gateway.store.audit().isBalanced)
    }

    @Test func anExpiredPaymentCodeIsRefused() async throws {
        let world = try await TestWorld.make()
        let code = try await world.gateway.trades.issuePaymentCode(buyer: Self.buyer)
        world.gateway.manualClock!.advance(seconds: TradeService.paymentCodeSeconds)
        try await world.app().test(.router) { client in
            let answer = try await api.call(client, try api.request(world, method: "alipay.trade.pay", biz: payBiz("pay-late", code: code.code)))
            #expect(answer.object["sub_code"] == "ACQ.PAYMENT_AUTH_CODE_INVALID")
        }
    }

    @Test func aBuyerWithoutEnoughBalanceLeavesTheTradeWaitingAndTheCodeUnused() async throws {
        let world = try await TestWorld.make()
        let code = try await world.gateway.trades.issuePaymentCode(buyer: Self.buyer)
        let before = try await balance(world, Self.buyer)
        try await world.app().test(.router) { client in
            let answer = try await api.call(client, try api.request(world, method: "alipay.trade.pay", biz: payBiz("pay-big", code: code.code, amount: "500.01")))
            #expect(answer.object["sub_code"] == "ACQ.BUYER_BALANCE_NOT_ENOUGH" && answer.object["sub_msg"] == "买家余额不足")
            // Cancelling a trade whose payment failed closes it.
            let cancel = try await api.call(client, try api.request(world, method: "alipay.trade.cancel", biz: #"{"out_trade_no":"pay-big"}"#))
            #expect(cancel.object["action"] == "close")
        }
        #expect(try await world.gateway.store.paymentCode(code.code)?.usedAt == nil)
        #expect(try await balance(world, Self.buyer) == before)
    }

    @Test(arguments: [
        (#"{"out_trade_no":"p","scene":"face","auth_code":"281234567890123456","subject":"s","total_amount":"1.00"}"#, "ACQ.INVALID_PARAMETER"),
        (#"{"out_trade_no":"p","scene":"bar_code","subject":"s","total_amount":"1.00"}"#, "ACQ.INVALID_PARAMETER"),
        (#"{"out_trade_no":"p","scene":"bar_code","auth_code":"281234567890123456","subject":"s"}"#, "ACQ.INVALID_PARAMETER"),
        (#"{"out_trade_no":"p","scene":"bar_code","auth_code":"281234567890123456","subject":"s","total_amount":"1.00","discountable_amount":"0.50","undiscountable_amount":"0.60"}"#, "ACQ.INVALID_PARAMETER"),
        (#"{"out_trade_no":"p","scene":"bar_code","auth_code":"281234567890123456","subject":"s","total_amount":"1.00","timeout_express":"16d"}"#, "ACQ.INVALID_PARAMETER"),
        (#"{"out_trade_no":"p","scene":"bar_code","auth_code":"281234567890123456","subject":"s","total_amount":"1.00","timeout_express":"0m"}"#, "ACQ.INVALID_PARAMETER"),
        (#"{"out_trade_no":"p","scene":"bar_code","auth_code":"281234567890123456","subject":"s","total_amount":"1.00","timeout_express":"+5m"}"#, "ACQ.INVALID_PARAMETER"),
        (#"{"out_trade_no":"p","scene":"bar_code","auth_code":"281234567890123456","subject":"s","total_amount":"1.00","trans_currency":"XYZ"}"#, "ACQ.INVALID_PARAMETER"),
    ])
    func badPayArgumentsAreRefusedBeforeAnythingMoves(biz: String, subCode: String) async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let answer = try await api.call(client, try api.request(world, method: "alipay.trade.pay", biz: biz))
            #expect(answer.object["code"] == "40004" && answer.object["sub_code"] == subCode)
        }
        #expect(try await world.gateway.store.trade(partner: Self.seller, outTradeNo: "p") == nil)
    }

    @Test func discountableAndUndiscountableAmountsMakeTheTotal() async throws {
        let world = try await TestWorld.make()
        let code = try await world.gateway.trades.issuePaymentCode(buyer: Self.buyer)
        try await world.app().test(.router) { client in
            let biz = #"{"out_trade_no":"p-sum","scene":"wave_code","auth_code":"\#(code.code)","subject":"s","discountable_amount":"8.00","undiscountable_amount":"80.88"}"#
            let answer = try await api.call(client, try api.request(world, method: "alipay.trade.pay", biz: biz))
            #expect(answer.object["code"] == "10000" && answer.object["total_amount"] == "88.88")
        }
    }

    @Test func aBlockedBuyerCannotPay() async throws {
        let world = try await TestWorld.make()
        let code = try await world.gateway.trades.issuePaymentCode(buyer: Self.buyer)
        try await world.gateway.store.setAccountStatus(userId: Self.buyer, .blocked)
        try await world.app().test(.router) { client in
            let answer = try await api.call(client, try api.request(world, method: "alipay.trade.pay", biz: payBiz("pay-blocked", code: code.code)))
            #expect(answer.object["sub_code"] == "ACQ.BUYER_ENABLE_STATUS_FORBID")
        }
    }

    @Test func payingAClosedFinishedOrOwnTradeIsRefusedWithItsSubCode() async throws {
        let world = try await TestWorld.make()
        let clock = try #require(world.gateway.manualClock)
        try await world.app().test(.router) { client in
            let own = try await world.gateway.trades.issuePaymentCode(buyer: Self.seller)
            let selfPay = try await api.call(client, try api.request(world, method: "alipay.trade.pay", biz: payBiz("self", code: own.code)))
            #expect(selfPay.object["sub_code"] == "ACQ.BUYER_SELLER_EQUAL")

            let first = try await world.gateway.trades.issuePaymentCode(buyer: Self.buyer)
            #expect(try await api.call(client, try api.request(world, method: "alipay.trade.pay", biz: payBiz("later", code: first.code))).object["code"] == "10000")
            let cancelled = try await api.call(client, try api.request(world, method: "alipay.trade.cancel", biz: #"{"out_trade_no":"later"}"#))
            #expect(cancelled.object["action"] == "refund")
            let afterCancel = try await world.gateway.trades.issuePaymentCode(buyer: Self.buyer)
            #expect(try await api.call(client, try api.request(world, method: "alipay.trade.pay", biz: payBiz("later", code: afterCancel.code))).object["sub_code"] == "ACQ.TRADE_HAS_CLOSE")

            let second = try await world.gateway.trades.issuePaymentCode(buyer: Self.buyer)
            #expect(try await api.call(client, try api.request(world, method: "alipay.trade.pay", biz: payBiz("old", code: second.code))).object["code"] == "10000")
            clock.advance(seconds: world.gateway.configuration.refundableDays * 86_400)
            let third = try await world.gateway.trades.issuePaymentCode(buyer: Self.buyer)
            #expect(try await api.call(client, try api.request(world, method: "alipay.trade.pay", biz: payBiz("old", code: third.code))).object["sub_code"] == "ACQ.TRADE_HAS_FINISHED")
        }
        #expect(try await world.gateway.store.audit().isBalanced)
    }

    // MARK: Notifications

    @Test func paymentAndRefundQueueSignedTradeStatusSyncNotifications() async throws {
        let world = try await TestWorld.make()
        let code = try await world.gateway.trades.issuePaymentCode(buyer: Self.buyer)
        try await world.app().test(.router) { client in
            let pay = try api.request(world, method: "alipay.trade.pay", biz: payBiz("pay-n", code: code.code), overrides: [("notify_url", "http://127.0.0.1:1/n")])
            #expect(try await api.call(client, pay).object["code"] == "10000")
            let refund = try api.request(world, method: "alipay.trade.refund", biz: #"{"out_trade_no":"pay-n","refund_amount":"10.00","out_request_no":"r1"}"#)
            #expect(try await api.call(client, refund).object["code"] == "10000")
        }
        let due = try await world.gateway.store.claimDueNotifications(now: world.gateway.clock.now, limit: 10, leaseSeconds: 60)
        #expect(due.count == 2)
        let paid = try #require(due.first { $0.parameters["trade_status"] == "TRADE_SUCCESS" })
        let closed = try #require(due.first { $0.parameters["trade_status"] == "TRADE_CLOSED" }, "a full refund closes the trade")
        #expect(paid.notifyType == "trade_status_sync" && paid.protocol == .openapi && paid.signType == .rsa2)
        #expect(paid.parameters["app_id"] == TestWorld.appId && paid.parameters["buyer_id"] == TestWorld.buyer)
        #expect(paid.parameters["total_amount"] == "10.00" && paid.parameters["receipt_amount"] == "10.00")
        #expect(paid.parameters["fund_bill_list"] == #"[{"amount":"10.00","fundChannel":"ALIPAYACCOUNT"}]"#)
        #expect(closed.parameters["refund_fee"] == "10.00" && closed.parameters["out_biz_no"] == "r1" && closed.parameters["gmt_refund"] != nil)
        // Signed with the gateway key over every field but sign and sign_type: what the SDKs verify.
        let form = try Notifier(gateway: world.gateway).signedForm(paid)
        let (params, _) = try FormCoding.decode(query: [], body: Array(form.utf8))
        #expect(params["sign_type"] == "RSA2" && params["notify_type"] == "trade_status_sync" && params["notify_id"] == paid.notifyId)
        let verifier = try RSAVerifier(key: world.gateway.privateKey.publicKey, signType: .rsa2)
        #expect(verifier.isValidSignature(params["sign"]!, for: Array(SignContent.openAPINotification(params).utf8)))
        #expect(OutboxNotification.retryDelays(.openapi).first == 240, "OpenAPI's first retry waits 4m")
    }

    // MARK: Refunds

    @Test func refundsArePartialIdempotentAndNeverMoreThanPaid() async throws {
        let world = try await TestWorld.make()
        let buyerBefore = try await balance(world, Self.buyer)
        @Sendable func refund(_ client: some TestClientProtocol, _ amount: String, _ request: String?, method: String = "alipay.trade.refund") async throws -> [String: String] {
            let requestNo = request.map { #","out_request_no":"\#($0)""# } ?? ""
            return try await api.call(client, try api.request(world, method: method, biz: #"{"out_trade_no":"order-paid","refund_amount":"\#(amount)"\#(requestNo),"refund_reason":"破损"}"#)).object
        }
        try await world.app().test(.router) { client in
            let first = try await refund(client, "5.00", "r1")
            #expect(first["code"] == "10000" && first["fund_change"] == "Y" && first["refund_fee"] == "5.00" && first["send_back_fee"] == "5.00")
            #expect(first["buyer_logon_id"] == "159****5620" && first["gmt_refund_pay"]?.count == 19)
            let repeated = try await refund(client, "5.00", "r1")
            #expect(repeated["code"] == "10000" && repeated["fund_change"] == "N" && repeated["refund_fee"] == "5.00")
            #expect(try await refund(client, "6.00", "r1")["sub_code"] == "ACQ.CONTEXT_INCONSISTENT")
            #expect(try await refund(client, "15.01", "r2")["sub_code"] == "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL")
            #expect(try await refund(client, "0.00", "r2")["sub_code"] == "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL")
            #expect(try await refund(client, "abc", "r2")["sub_code"] == "ACQ.INVALID_PARAMETER")
            let page = try await refund(client, "5.00", "r2", method: "alipay.trade.page.refund")
            #expect(page["code"] == "10000" && page["out_request_no"] == "r2" && page["refund_amount"] == "5.00")
            #expect(try await refund(client, "1.00", nil, method: "alipay.trade.page.refund")["sub_code"] == "ACQ.INVALID_PARAMETER")

            let query = try await api.call(client, try api.request(world, method: "alipay.trade.fastpay.refund.query",
                                                                   biz: #"{"out_trade_no":"order-paid","out_request_no":"r1"}"#)).object
            #expect(query["code"] == "10000" && query["refund_amount"] == "5.00" && query["total_amount"] == "20.00")
            #expect(query["refund_status"] == "REFUND_SUCCESS" && query["refund_reason"] == "破损" && query["out_request_no"] == "r1")
            let none = try await api.call(client, try api.request(world, method: "alipay.trade.fastpay.refund.query",
                                                                  biz: #"{"out_trade_no":"order-paid","out_request_no":"r9"}"#)).object
            #expect(none["code"] == "10000" && none["refund_amount"] == nil, "a refund never made has no refund fields")

            let last = try await refund(client, "10.00", "r3")
            #expect(last["refund_fee"] == "20.00")
            let status = try await api.call(client, try api.request(world, method: "alipay.trade.query", biz: #"{"out_trade_no":"order-paid"}"#)).object
            #expect(status["trade_status"] == "TRADE_CLOSED", "refunded in full")
            #expect(try await refund(client, "0.01", "r4")["sub_code"] == "ACQ.TRADE_STATUS_ERROR")
            let unpaid = try await api.call(client, try api.request(world, method: "alipay.trade.refund", biz: #"{"out_trade_no":"order-wait","refund_amount":"1.00"}"#)).object
            #expect(unpaid["sub_code"] == "ACQ.TRADE_STATUS_ERROR")
            let missing = try await api.call(client, try api.request(world, method: "alipay.trade.refund", biz: #"{"out_trade_no":"nope","refund_amount":"1.00"}"#)).object
            #expect(missing["sub_code"] == "ACQ.TRADE_NOT_EXIST")
        }
        #expect(try await balance(world, Self.buyer) == buyerBefore + 2_000)
        #expect(try await world.gateway.store.audit().isBalanced)
    }

    @Test func concurrentRefundsNeverExceedThePayment() async throws {
        let world = try await TestWorld.make()
        let trade = try #require(try await world.gateway.store.trade(tradeNo: "2026112222001400000002"))
        let service = world.gateway.trades
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for n in 0..<8 {
                group.addTask { (try? await service.refund(trade, amount: Amount(fen: 600), outRequestNo: "c\(n)", reason: nil)) != nil }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        let stored = try #require(try await world.gateway.store.trade(tradeNo: trade.tradeNo))
        // 20.00 holds three refunds of 6.00: the losers of each race retry against what is left.
        #expect(outcomes.filter { $0 }.count == 3)
        #expect(stored.refunded.fen == 1_800)
        #expect(try await world.gateway.store.transfers(reference: trade.tradeNo).filter { $0.code == .tradeRefund }.count == outcomes.filter { $0 }.count)
        #expect(try await world.gateway.store.audit().isBalanced)
    }
}
