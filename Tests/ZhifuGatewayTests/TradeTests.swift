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
        #expect(try await world.gateway.store.transfers(reference: trade.tradeNo).filter { $0.code == "trade_refund" }.count == outcomes.filter { $0 }.count)
        #expect(try await world.gateway.store.audit().isBalanced)
    }

    // MARK: Precreate, QR, cashier

    @Test func precreateGivesAQRCodeURLThatOpensTheCashier() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let answer = try await api.call(client, try api.request(world, method: "alipay.trade.precreate",
                                                                    biz: #"{"out_trade_no":"qr-1","total_amount":"12.50","subject":"<b>咖啡</b>"}"#))
            #expect(answer.key == "alipay_trade_precreate_response" && answer.object["code"] == "10000")
            let qrCode = try #require(answer.object["qr_code"])
            #expect(answer.raw.contains(#"\/qr\/"#), "slashes are escaped in the signed object")
            let path = String(qrCode.dropFirst(world.gateway.configuration.publicURL.count))
            let cashier = try await client.get(path)
            #expect(cashier.0 == .ok && element("amount", in: cashier.1) == "12.50")
            #expect(cashier.1.contains("&lt;b&gt;咖啡&lt;/b&gt;") && !cashier.1.contains("<b>咖啡"), "the subject is escaped")
            let image = try await client.execute(uri: path + "/image.svg", method: .get) { ($0.status, $0.headers[.contentType], String(buffer: $0.body)) }
            #expect(image.0 == .ok && image.1 == "image/svg+xml" && image.2.hasPrefix("<svg"))

            // The buyer pays on the cashier page: a wrong password first.
            let wrong = try await client.post(path.replacingOccurrences(of: "/qr/", with: "/cashier/"), form: formEncode([("account", "15900005620"), ("password", "000000")]))
            #expect(element("error", in: wrong.1)?.contains("还可以再试4次") == true)
            let paid = try await client.post(path.replacingOccurrences(of: "/qr/", with: "/cashier/"), form: formEncode([("account", "15900005620"), ("password", "111111")]))
            #expect(paid.0 == .ok && element("result", in: paid.1) == "支付成功")
            let query = try await api.call(client, try api.request(world, method: "alipay.trade.query", biz: #"{"out_trade_no":"qr-1"}"#))
            #expect(query.object["trade_status"] == "TRADE_SUCCESS")
            let again = try await api.call(client, try api.request(world, method: "alipay.trade.precreate",
                                                                   biz: #"{"out_trade_no":"qr-1","total_amount":"12.50","subject":"<b>咖啡</b>"}"#))
            #expect(again.object["sub_code"] == "ACQ.TRADE_HAS_SUCCESS")
            let closeBiz = #"{"out_trade_no":"qr-c","total_amount":"1.00","subject":"s"}"#
            #expect(try await api.call(client, try api.request(world, method: "alipay.trade.precreate", biz: closeBiz)).object["code"] == "10000")
            #expect(try await api.call(client, try api.request(world, method: "alipay.trade.close", biz: #"{"out_trade_no":"qr-c"}"#)).object["code"] == "10000")
            let closedAgain = try await api.call(client, try api.request(world, method: "alipay.trade.precreate", biz: closeBiz))
            #expect(closedAgain.object["sub_code"] == "ACQ.TRADE_HAS_CLOSE", "no QR code for a closed trade")
        }
    }

    @Test func unpaidTradesCloseAtTheirTimeoutAndTheMerchantIsTold() async throws {
        let world = try await TestWorld.make()
        let clock = try #require(world.gateway.manualClock)
        try await world.app().test(.router) { client in
            let precreate = try api.request(world, method: "alipay.trade.precreate", biz: #"{"out_trade_no":"qr-t","total_amount":"1.00","subject":"s","timeout_express":"1m"}"#,
                                            overrides: [("notify_url", "http://127.0.0.1:1/n")])
            #expect(try await api.call(client, precreate).object["code"] == "10000")
            let defaulted = try api.request(world, method: "alipay.trade.precreate", biz: #"{"out_trade_no":"qr-2h","total_amount":"1.00","subject":"s"}"#)
            #expect(try await api.call(client, defaulted).object["code"] == "10000")
        }
        clock.advance(seconds: 59)
        #expect(try await world.gateway.trades.sweep() == 0)
        clock.advance(seconds: 1)
        #expect(try await world.gateway.trades.sweep() == 1)
        #expect(try await world.gateway.store.trade(partner: Self.seller, outTradeNo: "qr-t")?.status == .tradeClosed)
        let told = try await world.gateway.store.claimDueNotifications(now: clock.now, limit: 10, leaseSeconds: 60)
        #expect(told.count == 1 && told[0].parameters["trade_status"] == "TRADE_CLOSED" && told[0].parameters["gmt_close"] != nil)
        // The QR code's default life is two hours; reading the trade applies it even without the sweep.
        clock.advance(seconds: 2 * 3_600)
        let late = try #require(try await world.gateway.store.trade(partner: Self.seller, outTradeNo: "qr-2h"))
        #expect(try await world.gateway.trades.current(late).status == .tradeClosed)
    }

    @Test func paidTradesFinishWhenTheRefundPeriodEnds() async throws {
        let world = try await TestWorld.make()
        let clock = try #require(world.gateway.manualClock)
        clock.advance(seconds: world.gateway.configuration.refundableDays * 86_400)
        #expect(try await world.gateway.trades.sweep() == 1)
        #expect(try await world.gateway.store.trade(tradeNo: "2026112222001400000002")?.status == .tradeFinished)
        try await world.app().test(.router) { client in
            let answer = try await api.call(client, try api.request(world, method: "alipay.trade.refund", biz: #"{"out_trade_no":"order-paid","refund_amount":"1.00"}"#))
            #expect(answer.object["sub_code"] == "ACQ.TRADE_NOT_ALLOW_REFUND")
        }
    }

    // MARK: page.pay, wap.pay, app.pay

    func pagePayURL(_ world: TestWorld, method: String = "alipay.trade.page.pay", outTradeNo: String, returnURL: String = "http://shop.example/return?x=1",
                    key: PrivateKey = TestWorld.appKey) throws -> String {
        let biz = #"{"out_trade_no":"\#(outTradeNo)","product_code":"FAST_INSTANT_TRADE_PAY","total_amount":"30.00","subject":"书"}"#
        let p = try api.request(world, method: method, biz: biz, overrides: [("return_url", returnURL)], key: key)
        return "/gateway.do?" + FormCoding.encode(p, charset: .utf8)!
    }

    @Test(arguments: ["alipay.trade.page.pay", "alipay.trade.wap.pay"])
    func pagePayEndsOnTheSignedReturnURL(method: String) async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let start = try await client.execute(uri: try pagePayURL(world, method: method, outTradeNo: "web-1"), method: .get) { ($0.status, $0.headers[.location]) }
            #expect(start.0 == .found)
            let cashierPath = try #require(start.1)
            #expect(cashierPath.hasPrefix("/cashier/"))
            let page = try await client.get(cashierPath)
            #expect(element("subject", in: page.1) == "书" && element("amount", in: page.1) == "30.00")
            let paid = try await client.execute(uri: cashierPath, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                                body: ByteBuffer(string: formEncode([("account", "15900005620"), ("password", "111111")]))) {
                ($0.status, $0.headers[.location])
            }
            #expect(paid.0 == .seeOther)
            let location = try #require(paid.1)
            #expect(location.hasPrefix("http://shop.example/return?x=1&"))
            let query = String(location.split(separator: "?", maxSplits: 1)[1])
            let (params, _) = try FormCoding.decode(query: Array(query.utf8), body: [])
            #expect(params["method"] == method + ".return" && params["out_trade_no"] == "web-1" && params["total_amount"] == "30.00")
            #expect(params["app_id"] == TestWorld.appId && params["seller_id"] == TestWorld.partner && params["sign_type"] == "RSA2")
            var signed = params
            signed["x"] = nil
            let verifier = try RSAVerifier(key: world.gateway.privateKey.publicKey, signType: .rsa2)
            #expect(verifier.isValidSignature(params["sign"]!, for: Array(SignContent.openAPINotification(signed).utf8)))
        }
        #expect(try await world.gateway.store.trade(partner: Self.seller, outTradeNo: "web-1")?.status == .tradeSuccess)
    }

    @Test func pagePayErrorsAreShownAsAPage() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let forged = try await client.get(try pagePayURL(world, outTradeNo: "web-2", key: TestWorld.rsaKey))
            #expect(element("error-code", in: forged.1) == "isv.invalid-signature")
            let badReturn = try await client.get(try pagePayURL(world, outTradeNo: "web-3", returnURL: "javascript:alert(1)"))
            #expect(element("error-code", in: badReturn.1) == "isv.invalid-parameter")
        }
    }

    @Test func appPayOrderStringsOpenTheCashier() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let biz = #"{"out_trade_no":"app-1","product_code":"QUICK_MSECURITY_PAY","total_amount":"1.00","subject":"会员"}"#
            let orderString = FormCoding.encode(try api.request(world, method: "alipay.trade.app.pay", biz: biz), charset: .utf8)!
            let start = try await client.execute(uri: "/gateway.do?" + orderString, method: .get) { ($0.status, $0.headers[.location]) }
            #expect(start.0 == .found && start.1?.hasPrefix("/cashier/") == true)
        }
        #expect(try await world.gateway.store.trade(partner: Self.seller, outTradeNo: "app-1")?.details.productCode == "QUICK_MSECURITY_PAY")
    }

    // MARK: Buyer page

    @Test func theBuyerPageShowsAFreshPaymentCodeAndScansQRCodes() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let login = try await client.execute(uri: "/buyer", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                                 body: ByteBuffer(string: formEncode([("account", "15900005620"), ("password", "111111")]))) {
                ($0.status, $0.headers[.setCookie])
            }
            #expect(login.0 == .seeOther)
            let cookie = try #require(login.1?.split(separator: ";").first.map(String.init))
            let page = try await client.execute(uri: "/buyer", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            let code = try #require(element("payment-code", in: page))
            #expect(PaymentCode.isWellFormed(code))
            #expect(try await world.gateway.trades.buyer(paymentCode: code) == Self.buyer)
            let tampered = String(cookie.dropLast()) + (cookie.last == "a" ? "b" : "a")
            let forged = try await client.execute(uri: "/buyer", method: .get, headers: [.cookie: tampered]) { String(buffer: $0.body) }
            #expect(forged.contains("id=\"login-form\""), "a tampered session is not accepted")

            let precreate = try await api.call(client, try api.request(world, method: "alipay.trade.precreate", biz: #"{"out_trade_no":"qr-b","total_amount":"2.00","subject":"s"}"#))
            let qrCode = try #require(precreate.object["qr_code"])
            let scan = try await client.execute(uri: "/buyer/scan?" + formEncode([("qr_code", qrCode)]), method: .get, headers: [.cookie: cookie]) {
                ($0.status, $0.headers[.location])
            }
            #expect(scan.0 == .seeOther && scan.1?.hasPrefix("/cashier/") == true && scan.1?.contains("account=15900005620") == true)
            let unknown = try await client.execute(uri: "/buyer/scan?qr_code=https%3A%2F%2Fevil.example%2Fqr%2F1", method: .get, headers: [.cookie: cookie]) {
                String(buffer: $0.body)
            }
            #expect(element("error", in: unknown) == "无法识别的二维码")
        }
    }

    // MARK: Settle, orderinfo.sync, advance.consult

    @Test func settlePaysRoyaltiesOnceAndWithinWhatIsLeft() async throws {
        let world = try await TestWorld.make()
        let receiver = UserId("2088103000000001")!
        let before = try await balance(world, receiver)
        @Sendable func settle(_ client: some TestClientProtocol, _ request: String, _ amount: String, to transIn: String = "2088103000000001") async throws -> [String: String] {
            let biz = #"{"out_request_no":"\#(request)","trade_no":"2026112222001400000002","royalty_parameters":[{"trans_in":"\#(transIn)","amount":"\#(amount)","desc":"分账"}]}"#
            return try await api.call(client, try api.request(world, method: "alipay.trade.order.settle", biz: biz)).object
        }
        try await world.app().test(.router) { client in
            #expect(try await settle(client, "s1", "3.00")["code"] == "10000")
            #expect(try await settle(client, "s1", "3.00")["code"] == "10000", "the same request again moves nothing")
            #expect(try await settle(client, "s2", "17.01")["sub_code"] == "ACQ.ALLOC_AMOUNT_VALIDATE_ERROR")
            #expect(try await settle(client, "s3", "1.00", to: "2088999999999999")["sub_code"] == "ACQ.ALLOC_AMOUNT_VALIDATE_ERROR")
            #expect(try await settle(client, "s4", "1.00", to: "someone")["sub_code"] == "ACQ.INVALID_PARAMETER")
            // What was settled can no longer be refunded.
            let refund = try await api.call(client, try api.request(world, method: "alipay.trade.refund", biz: #"{"trade_no":"2026112222001400000002","refund_amount":"17.01"}"#))
            #expect(refund.object["sub_code"] == "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL")
        }
        #expect(try await balance(world, receiver) == before + 300)
        #expect(try await world.gateway.store.audit().isBalanced)
    }

    @Test func orderinfoSyncAndAdvanceConsultAnswer() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let sync = try await api.call(client, try api.request(world, method: "alipay.trade.orderinfo.sync",
                                                                  biz: #"{"trade_no":"2026112222001400000002","out_request_no":"s1","biz_type":"CREDIT_AUTH"}"#))
            #expect(sync.key == "alipay_trade_orderinfo_sync_response" && sync.object["code"] == "10000" && sync.object["buyer_user_id"] == TestWorld.buyer)
            let unpaid = try await api.call(client, try api.request(world, method: "alipay.trade.orderinfo.sync",
                                                                    biz: #"{"trade_no":"2026112222001400000001","out_request_no":"s1","biz_type":"CREDIT_AUTH"}"#))
            #expect(unpaid.object["sub_code"] == "ACQ.TRADE_STATUS_ERROR")
            let consult = try await api.call(client, try api.request(world, method: "alipay.trade.advance.consult", biz: #"{"alipay_user_id":"\#(TestWorld.buyer)"}"#))
            #expect(consult.object["code"] == "10000" && consult.object["refer_result"] == "false")
            let nobody = try await api.call(client, try api.request(world, method: "alipay.trade.advance.consult", biz: #"{"alipay_user_id":"2088999999999999"}"#))
            #expect(nobody.object["sub_code"] == "ACQ.INVALID_PARAMETER")
        }
    }

    // MARK: Currencies and app_auth_token

    @Test func foreignCurrencyTradesArePaidInCNYAtTheConfiguredRate() async throws {
        let world = try await TestWorld.make()
        let code = try await world.gateway.trades.issuePaymentCode(buyer: Self.buyer)
        let before = try await balance(world, Self.buyer)
        try await world.app().test(.router) { client in
            let answer = try await api.call(client, try api.request(world, method: "alipay.trade.pay",
                                                                    biz: payBiz("usd-1", code: code.code, amount: "10.00", extra: #","trans_currency":"USD","settle_currency":"USD""#)))
            #expect(answer.object["code"] == "10000" && answer.object["total_amount"] == "10.00" && answer.object["trans_currency"] == "USD")
            #expect(answer.object["pay_currency"] == "CNY" && answer.object["pay_amount"] == "71.00" && answer.object["trans_pay_rate"] == "7.100000")
            #expect(answer.object["settle_amount"] == "10.00" && answer.object["settle_trans_rate"] == "1.000000")
        }
        #expect(try await balance(world, Self.buyer) == before - 7_100)
    }

    @Test func anAppAuthTokenLetsAnISVActForAnotherMerchant() async throws {
        let other = "2088200000000077"
        let world = try await TestWorld.make(
            extraAccounts: #",{"userId": "\#(other)", "logonId": "shop@zhifu.test", "name": "小店"}"#,
            extraMerchants: #",{"partner": "\#(other)", "md5Key": "\#(TestWorld.md5Key)"}"#,
            extraFixtures: #","appAuthTokens": [{"token": "201510BBaabdb44d8fd04607abf8d5931ec75D84", "appId": "\#(TestWorld.appId)", "partner": "\#(other)"}]"#)
        try await world.app().test(.router) { client in
            let biz = #"{"out_trade_no":"isv-1","total_amount":"1.00","subject":"s"}"#
            let created = try await api.call(client, try api.request(world, method: "alipay.trade.create", biz: biz,
                                                                     overrides: [("app_auth_token", "201510BBaabdb44d8fd04607abf8d5931ec75D84")]))
            #expect(created.object["code"] == "10000")
            // The merchant's own trades are out of the token's reach, and the other's out of the app's own.
            let own = try await api.call(client, try api.request(world, method: "alipay.trade.query", biz: #"{"out_trade_no":"order-paid"}"#,
                                                                 overrides: [("app_auth_token", "201510BBaabdb44d8fd04607abf8d5931ec75D84")]))
            #expect(own.object["sub_code"] == "ACQ.TRADE_NOT_EXIST")
            let direct = try await api.call(client, try api.request(world, method: "alipay.trade.query", biz: #"{"out_trade_no":"isv-1"}"#))
            #expect(direct.object["sub_code"] == "ACQ.TRADE_NOT_EXIST")
        }
        #expect(try await world.gateway.store.trade(partner: UserId(other)!, outTradeNo: "isv-1")?.details.authAppId == TestWorld.appId)
    }

    @Test func aTokenForAMerchantWithoutTheMethodIsInsufficientUserPermissions() async throws {
        let other = "2088200000000078"
        let world = try await TestWorld.make(
            extraAccounts: #",{"userId": "\#(other)", "logonId": "shop2@zhifu.test", "name": "小店二"}"#,
            extraMerchants: #",{"partner": "\#(other)", "md5Key": "\#(TestWorld.md5Key)", "services": ["alipay.trade.query"]}"#,
            extraFixtures: #","appAuthTokens": [{"token": "201510BBaabdb44d8fd04607abf8d5931ec75D85", "appId": "\#(TestWorld.appId)", "partner": "\#(other)"}]"#)
        try await world.app().test(.router) { client in
            let refused = try await api.call(client, try api.request(world, method: "alipay.trade.create", biz: #"{"out_trade_no":"isv-2","total_amount":"1.00","subject":"s"}"#,
                                                                     overrides: [("app_auth_token", "201510BBaabdb44d8fd04607abf8d5931ec75D85")]))
            #expect(refused.object["code"] == "40006" && refused.object["sub_code"] == "isv.insufficient-user-permissions")
        }
    }
}
