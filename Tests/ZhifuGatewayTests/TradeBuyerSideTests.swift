import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol
import ZhifuSDK

/// The buyer's side of trades (precreate QR codes, the cashier, page/wap/app pay, the buyer page),
/// settle, orderinfo.sync, advance.consult, currencies and app_auth_token.
extension TradeTests {
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
            let cancelled = try await api.call(client, try api.request(world, method: "alipay.trade.cancel", biz: #"{"out_trade_no":"qr-c"}"#))
            #expect(cancelled.object["code"] == "10000" && cancelled.object["action"] == "close")
            let closedAgain = try await api.call(client, try api.request(world, method: "alipay.trade.precreate", biz: closeBiz))
            #expect(closedAgain.object["sub_code"] == "ACQ.TRADE_HAS_CLOSE", "no QR code for a closed trade")
        }
    }

    @Test func unpaidTradesCloseAtTheirTimeoutAndTheMerchantIsTold() async throws {
        let world = try await TestWorld.make()
        let clock = try #require(world.gateway.manualClock)
        try await world.app().test(.router) { client in
            let create = try api.request(world, method: "alipay.trade.create", biz: #"{"out_trade_no":"qr-t","total_amount":"1.00","subject":"s","timeout_express":"1m"}"#,
                                         overrides: [("notify_url", "http://127.0.0.1:1/n")])
            #expect(try await api.call(client, create).object["code"] == "10000")
            // A QR code nobody scanned is no trade on Alipay: it expires without a word.
            let unscanned = try api.request(world, method: "alipay.trade.precreate", biz: #"{"out_trade_no":"qr-u","total_amount":"1.00","subject":"s","timeout_express":"1m"}"#,
                                            overrides: [("notify_url", "http://127.0.0.1:1/n")])
            #expect(try await api.call(client, unscanned).object["code"] == "10000")
            let defaulted = try api.request(world, method: "alipay.trade.precreate", biz: #"{"out_trade_no":"qr-2h","total_amount":"1.00","subject":"s"}"#)
            #expect(try await api.call(client, defaulted).object["code"] == "10000")
        }
        clock.advance(seconds: 59)
        #expect(try await world.gateway.trades.sweep() == 0)
        clock.advance(seconds: 1)
        #expect(try await world.gateway.trades.sweep() == 2)
        #expect(try await world.gateway.store.trade(partner: Self.seller, outTradeNo: "qr-t")?.status == .tradeClosed)
        #expect(try await world.gateway.store.trade(partner: Self.seller, outTradeNo: "qr-u")?.status == .tradeClosed)
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

            // Logging out ends the session on the server: the old cookie no longer signs anyone in.
            let logout = try await client.execute(uri: "/buyer/logout", method: .post, headers: [.cookie: cookie]) { $0.status }
            #expect(logout == .seeOther)
            let after = try await client.execute(uri: "/buyer", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
            #expect(after.contains("id=\"login-form\""), "a logged-out session is not accepted")
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
            #expect(consult.object["code"] == "10000" && consult.raw.contains(#""refer_result":false"#))
            #expect(consult.raw.contains(#""wait_repayment_order_infos":[]"#) && consult.object["wait_repayment_amount"] == "0.00")
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
