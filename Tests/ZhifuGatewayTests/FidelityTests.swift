import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol

/// Where a merchant's code could tell Zhifu from Alipay (issue 9): each test fails on a gateway
/// that answers the way Zhifu used to.
@Suite struct FidelityTests {
    let api = OpenAPITests()
    static let seller = UserId(TestWorld.partner)!
    static let buyer = UserId(TestWorld.buyer)!

    func due(_ world: TestWorld) async throws -> [OutboxNotification] {
        try await world.gateway.store.claimDueNotifications(now: world.gateway.clock.now.addingTimeInterval(86_400), limit: 50, leaseSeconds: 1)
    }

    @Test func msgIsAlipaysEnglishTextAndSubMsgStaysChinese() async throws {
        let world = try await TestWorld.make(services: ["alipay.trade.query"])
        try await world.app().test(.router) { client in
            let ok = try await api.call(client, try api.request(world, method: "alipay.trade.query", biz: #"{"out_trade_no":"order-paid"}"#))
            #expect(ok.object["code"] == "10000" && ok.object["msg"] == "Success")
            let missing = try await api.call(client, try api.request(world, method: "alipay.trade.query", biz: #"{"out_trade_no":"nope"}"#))
            #expect(missing.object["msg"] == "Business Failed" && missing.object["sub_code"] == "ACQ.TRADE_NOT_EXIST")
            #expect(missing.object["sub_msg"] == "交易不存在")
            let badSign = try await api.call(client, try api.request(world, method: "alipay.trade.query", biz: "{}", overrides: [("sign", "AAAA")]))
            #expect(badSign.object["code"] == "40002" && badSign.object["msg"] == "Invalid Arguments")
            let noMethod = try await api.call(client, try api.request(world, method: "alipay.trade.query", biz: "{}", overrides: [("method", nil)]))
            #expect(noMethod.object["code"] == "40001" && noMethod.object["msg"] == "Missing Required Arguments")
            let refused = try await api.call(client, try api.request(world, method: "alipay.trade.close", biz: #"{"out_trade_no":"x"}"#))
            #expect(refused.object["code"] == "40006" && refused.object["msg"] == "Insufficient Permissions")
        }
    }

    @Test func passbackParamsComeBackUnchangedInEveryNotification() async throws {
        let world = try await TestWorld.make()
        let passback = "merchantBizType%3D3C%26merchantBizNo%3D2016010101111"
        let code = try await world.gateway.trades.issuePaymentCode(buyer: Self.buyer)
        try await world.app().test(.router) { client in
            let biz = #"{"out_trade_no":"pb-1","scene":"bar_code","auth_code":"\#(code.code)","subject":"s","total_amount":"5.00","passback_params":"\#(passback)"}"#
            let paid = try await api.call(client, try api.request(world, method: "alipay.trade.pay", biz: biz, overrides: [("notify_url", "http://127.0.0.1:1/n")]))
            #expect(paid.object["code"] == "10000")
            let refund = try await api.call(client, try api.request(world, method: "alipay.trade.refund", biz: #"{"out_trade_no":"pb-1","refund_amount":"1.00"}"#))
            #expect(refund.object["code"] == "10000")
        }
        let told = try await due(world)
        #expect(told.count == 2)
        #expect(told.allSatisfy { $0.parameters["passback_params"] == passback })
        #expect(Set(told.compactMap { $0.parameters["trade_status"] }) == ["TRADE_SUCCESS"])
    }

    @Test func timeExpireToTheMinuteIsAcceptedInTheBusinessTimeZone() async throws {
        let world = try await TestWorld.make()
        let calendar = world.gateway.configuration.calendar
        let inTenMinutes = String(calendar.timestamp(world.gateway.clock.now.addingTimeInterval(600)).prefix(16))
        try await world.app().test(.router) { client in
            let created = try await api.call(client, try api.request(world, method: "alipay.trade.create",
                                                                     biz: #"{"out_trade_no":"te-1","total_amount":"1.00","subject":"s","time_expire":"\#(inTenMinutes)"}"#))
            #expect(created.object["code"] == "10000")
            for bad in ["2016-12-31 10:5", "2099-02-30 10:05", "2099-12-31T10:05"] {
                let refused = try await api.call(client, try api.request(world, method: "alipay.trade.create",
                                                                         biz: #"{"out_trade_no":"te-2","total_amount":"1.00","subject":"s","time_expire":"\#(bad)"}"#))
                #expect(refused.object["sub_code"] == "ACQ.INVALID_PARAMETER", "\(bad)")
            }
        }
        let trade = try #require(try await world.gateway.store.trade(partner: Self.seller, outTradeNo: "te-1"))
        #expect(trade.expiresAt == calendar.parseTimestamp(inTenMinutes + ":00"))
    }

    @Test func aPrecreatedOrderExistsOnlyOnceABuyerScansIt() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let precreate = try api.request(world, method: "alipay.trade.precreate", biz: #"{"out_trade_no":"scan-1","total_amount":"3.00","subject":"s"}"#,
                                            overrides: [("notify_url", "http://127.0.0.1:1/n")])
            let qrCode = try #require(try await api.call(client, precreate).object["qr_code"])
            for method in ["alipay.trade.query", "alipay.trade.close", "alipay.trade.fastpay.refund.query"] {
                let answer = try await api.call(client, try api.request(world, method: method, biz: #"{"out_trade_no":"scan-1","out_request_no":"r"}"#))
                #expect(answer.object["sub_code"] == "ACQ.TRADE_NOT_EXIST", "\(method)")
            }
            let refund = try await api.call(client, try api.request(world, method: "alipay.trade.refund", biz: #"{"out_trade_no":"scan-1","refund_amount":"1.00"}"#))
            #expect(refund.object["sub_code"] == "ACQ.TRADE_NOT_EXIST")
            // The buyer opens the code: now Alipay knows the trade, waiting for payment.
            let page = try await client.get(String(qrCode.dropFirst(world.gateway.configuration.publicURL.count)))
            #expect(page.0 == .ok)
            let query = try await api.call(client, try api.request(world, method: "alipay.trade.query", biz: #"{"out_trade_no":"scan-1"}"#))
            #expect(query.object["code"] == "10000" && query.object["trade_status"] == "WAIT_BUYER_PAY")
            let close = try await api.call(client, try api.request(world, method: "alipay.trade.close", biz: #"{"out_trade_no":"scan-1"}"#))
            #expect(close.object["code"] == "10000")
        }
        let told = try await due(world)
        #expect(told.map { $0.parameters["trade_status"] } == ["TRADE_CLOSED"], "no WAIT_BUYER_PAY notification (Alipay's default), TRADE_CLOSED on")
    }

    @Test func aCancelledUnscannedCodeCanNoLongerBePaid() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let precreate = try api.request(world, method: "alipay.trade.precreate", biz: #"{"out_trade_no":"scan-2","total_amount":"3.00","subject":"s"}"#,
                                            overrides: [("notify_url", "http://127.0.0.1:1/n")])
            let qrCode = try #require(try await api.call(client, precreate).object["qr_code"])
            let cancel = try await api.call(client, try api.request(world, method: "alipay.trade.cancel", biz: #"{"out_trade_no":"scan-2"}"#))
            #expect(cancel.object["code"] == "10000" && cancel.object["action"] == "close" && cancel.object["retry_flag"] == "N")
            let path = String(qrCode.dropFirst(world.gateway.configuration.publicURL.count)).replacingOccurrences(of: "/qr/", with: "/cashier/")
            let paid = try await client.post(path, form: formEncode([("account", "15900005620"), ("password", "111111")]))
            #expect(element("result", in: paid.1) != "支付成功")
            let query = try await api.call(client, try api.request(world, method: "alipay.trade.query", biz: #"{"out_trade_no":"scan-2"}"#))
            #expect(query.object["sub_code"] == "ACQ.TRADE_NOT_EXIST")
        }
        #expect(try await due(world).isEmpty, "a trade Alipay never had is never notified")
        #expect(try await world.gateway.store.trade(partner: Self.seller, outTradeNo: "scan-2")?.buyer == nil)
    }

    @Test func faceToFacePaymentsNeverSendTheBrowserToAReturnURL() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let precreate = try api.request(world, method: "alipay.trade.precreate", biz: #"{"out_trade_no":"f2f-1","total_amount":"2.00","subject":"s"}"#,
                                            overrides: [("return_url", "http://shop.example/return")])
            let qrCode = try #require(try await api.call(client, precreate).object["qr_code"])
            let path = String(qrCode.dropFirst(world.gateway.configuration.publicURL.count))
            _ = try await client.get(path)
            let paid = try await client.post(path.replacingOccurrences(of: "/qr/", with: "/cashier/"),
                                             form: formEncode([("account", "15900005620"), ("password", "111111")]))
            #expect(paid.0 == .ok && element("result", in: paid.1) == "支付成功", "the success page, no redirect to return_url")
        }
    }

    @Test(arguments: [("88.88", "88.88"), ("0.07", "0.07"), ("100", "100.00"), ("12.5", "12.50")])
    func amountsSentAsJSONNumbersAreReadAsWritten(literal: String, total: String) async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let created = try await api.call(client, try api.request(world, method: "alipay.trade.create",
                                                                     biz: #"{"out_trade_no":"n-1","total_amount":\#(literal),"subject":"s"}"#))
            #expect(created.object["code"] == "10000")
        }
        #expect(try await world.gateway.store.trade(partner: Self.seller, outTradeNo: "n-1")?.amount.description == total)
    }

    @Test(arguments: ["88.885", "1e2", "8.8E1", "5E0", "-1.00", "true", "null", "\"\"", "[1]"])
    func amountNumbersWithMoreThanTwoDecimalsOrExponentsAreRefused(literal: String) async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let refused = try await api.call(client, try api.request(world, method: "alipay.trade.create",
                                                                     biz: #"{"out_trade_no":"n-2","total_amount":\#(literal),"subject":"s"}"#))
            #expect(refused.object["code"] == "40004" && refused.object["sub_code"] == "ACQ.INVALID_PARAMETER")
        }
        #expect(try await world.gateway.store.trade(partner: Self.seller, outTradeNo: "n-2") == nil)
    }

    @Test func aRefundSentWithoutOutRequestNoIsNamedByTheOutTradeNo() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let refund = try await api.call(client, try api.request(world, method: "alipay.trade.refund", biz: #"{"out_trade_no":"order-paid","refund_amount":"1.00"}"#))
            #expect(refund.object["code"] == "10000")
            let found = try await api.call(client, try api.request(world, method: "alipay.trade.fastpay.refund.query",
                                                                   biz: #"{"out_trade_no":"order-paid","out_request_no":"order-paid"}"#))
            #expect(found.object["refund_amount"] == "1.00" && found.object["out_request_no"] == "order-paid")
            let unnamed = try await api.call(client, try api.request(world, method: "alipay.trade.fastpay.refund.query", biz: #"{"out_trade_no":"order-paid"}"#))
            #expect(unnamed.object["sub_code"] == "ACQ.INVALID_PARAMETER", "out_request_no is required by the query")
        }
    }

    @Test func queryAndNotificationsCarryWhatAlipaysDo() async throws {
        let world = try await TestWorld.make()
        let code = try await world.gateway.trades.issuePaymentCode(buyer: Self.buyer)
        try await world.app().test(.router) { client in
            let biz = #"{"out_trade_no":"f-1","scene":"bar_code","auth_code":"\#(code.code)","subject":"咖啡","body":"大杯","total_amount":"5.00","passback_params":"a%3D1","store_id":"NJ_001","terminal_id":"T-9","operator_id":"yx_001"}"#
            _ = try await api.call(client, try api.request(world, method: "alipay.trade.pay", biz: biz, overrides: [("notify_url", "http://127.0.0.1:1/n")]))
            let query = try await api.call(client, try api.request(world, method: "alipay.trade.query", biz: #"{"out_trade_no":"f-1"}"#))
            #expect(query.object["subject"] == "咖啡" && query.object["body"] == "大杯" && query.object["passback_params"] == "a%3D1")
            #expect(query.object["buyer_user_type"] == "PRIVATE")
            #expect(query.object["store_id"] == "NJ_001" && query.object["terminal_id"] == "T-9", "echoed by query as Alipay does")
            let longOperator = #"{"out_trade_no":"f-2","total_amount":"1.00","subject":"s","operator_id":"\#(String(repeating: "o", count: 29))"}"#
            #expect(try await api.call(client, try api.request(world, method: "alipay.trade.create", biz: longOperator)).object["sub_code"] == "ACQ.INVALID_PARAMETER")
            let cancel = try await api.call(client, try api.request(world, method: "alipay.trade.cancel", biz: #"{"out_trade_no":"f-1"}"#))
            #expect(cancel.object["action"] == "refund" && cancel.object["gmt_refund_pay"]?.count == 19)
            let settle = #"{"out_request_no":"s-1","trade_no":"2026112222001400000002","royalty_parameters":[{"trans_in":"2088103000000000","amount":"1.00"}]}"#
            let settled = try await api.call(client, try api.request(world, method: "alipay.trade.order.settle", biz: settle))
            let again = try await api.call(client, try api.request(world, method: "alipay.trade.order.settle", biz: settle))
            #expect(settled.object["settle_no"]?.count == 28 && settled.object["settle_no"] == again.object["settle_no"])
        }
        let told = try await due(world)
        #expect(told.count == 2 && told.allSatisfy { $0.parameters["buyer_logon_id"] == "159****5620" }, "the refund's notification names the buyer too")
        #expect(told.allSatisfy { $0.parameters["seller_email"] == TestWorld.payerLogon })
    }

    @Test func aBuyerNamedByLogonIdIsTheOnlyOneWhoCanPay() async throws {
        let world = try await TestWorld.make(payees: [("testture0002@126.com", "常炜买家二", "normal")])
        try await world.app().test(.router) { client in
            let created = try await api.call(client, try api.request(world, method: "alipay.trade.create",
                                                                     biz: #"{"out_trade_no":"bl-1","total_amount":"1.00","subject":"s","buyer_logon_id":"15900005620"}"#))
            let tradeNo = try #require(created.object["trade_no"])
            let other = try await client.post("/cashier/\(tradeNo)", form: formEncode([("account", "testture0002@126.com"), ("password", "111111")]))
            #expect(element("result", in: other.1) != "支付成功")
            let named = try await client.post("/cashier/\(tradeNo)", form: formEncode([("account", "15900005620"), ("password", "111111")]))
            #expect(element("result", in: named.1) == "支付成功")
            let unknown = try await api.call(client, try api.request(world, method: "alipay.trade.create",
                                                                     biz: #"{"out_trade_no":"bl-2","total_amount":"1.00","subject":"s","buyer_logon_id":"nobody@x"}"#))
            #expect(unknown.object["sub_code"] == "ACQ.INVALID_PARAMETER")
        }
    }

    @Test func wapPayQuitURLIsTheCashiersWayBack() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let biz = #"{"out_trade_no":"wap-q","total_amount":"3.00","subject":"s","product_code":"QUICK_WAP_WAY","quit_url":"https://shop.example/cart?id=1&x=<b>"}"#
            let p = try api.request(world, method: "alipay.trade.wap.pay", biz: biz)
            let location = try await client.execute(uri: "/gateway.do?" + FormCoding.encode(p, charset: .utf8)!, method: .get) { $0.headers[.location] }
            let cashier = try await client.get(try #require(location)).1
            #expect(cashier.contains(#"<a id="quit" href="https://shop.example/cart?id=1&amp;x=&lt;b&gt;">返回商家</a>"#), "escaped")
            let bad = #"{"out_trade_no":"wap-q2","total_amount":"3.00","subject":"s","quit_url":"javascript:alert(1)"}"#
            let refused = try await client.get("/gateway.do?" + FormCoding.encode(try api.request(world, method: "alipay.trade.wap.pay", biz: bad), charset: .utf8)!)
            #expect(refused.1.contains("ACQ.INVALID_PARAMETER"))
        }
    }

    /// page.pay's qr_pay_mode 0/1/3/4 answers with the order's QR code alone, framable, at the asked
    /// size; once paid (by scanning it) the frame goes on to the signed return_url. Mode 2 and none
    /// go to the cashier; other values are refused.
    @Test func pagePayQRPayModesShowTheOrderCodeForAnIframe() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            func pagePay(_ outTradeNo: String, _ extra: String) async throws -> (HTTPResponse.Status, String?, String) {
                let biz = #"{"out_trade_no":"\#(outTradeNo)","total_amount":"9.00","subject":"s","product_code":"FAST_INSTANT_TRADE_PAY"\#(extra)}"#
                let p = try api.request(world, method: "alipay.trade.page.pay", biz: biz, overrides: [("return_url", "http://shop.example/back")])
                return try await client.execute(uri: "/gateway.do?" + FormCoding.encode(p, charset: .utf8)!, method: .get) {
                    ($0.status, $0.headers[.location], String(buffer: $0.body))
                }
            }
            let embedded = try #require(try await pagePay("qm-4", #","qr_pay_mode":"4","qrcode_width":"120""#).1)
            #expect(embedded.hasPrefix("/qr/") && embedded.hasSuffix("/embedded?mode=4&width=120"))
            let frame = try await client.execute(uri: embedded, method: .get) { ($0.headers, String(buffer: $0.body)) }
            #expect(frame.0[HTTPField.Name("X-Frame-Options")!] == nil && frame.0[.contentSecurityPolicy]?.contains("frame-ancestors") == false)
            #expect(frame.1.contains(#"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="120""#) && !frame.1.contains("pay-form"))
            #expect(try #require(try await pagePay("qm-2", #","qr_pay_mode":"2""#).1).hasPrefix("/cashier/"))
            for (outTradeNo, extra) in [("qm-9", #","qr_pay_mode":"9""#), ("qm-w", #","qr_pay_mode":"4","qrcode_width":"5000""#)] {
                let refused = try await pagePay(outTradeNo, extra)
                #expect(refused.1 == nil && refused.2.contains("ACQ.INVALID_PARAMETER"), "an error page naming the code, not a redirect")
                #expect(try await world.gateway.store.trade(partner: Self.seller, outTradeNo: outTradeNo) == nil, "nothing created")
            }

            // The buyer scans the frame's code and pays on the phone; the frame then goes to the return_url.
            let tradeNo = String(embedded.dropFirst("/qr/".count).prefix { $0 != "/" })
            let paid = try await client.post("/cashier/\(tradeNo)", form: formEncode([("account", "15900005620"), ("password", "111111")]))
            #expect(paid.0 == .seeOther)
            let after = try await client.execute(uri: embedded, method: .get) { ($0.status, $0.headers[.location]) }
            #expect(after.0 == .seeOther && after.1?.hasPrefix("http://shop.example/back?") == true)
        }
    }
}
