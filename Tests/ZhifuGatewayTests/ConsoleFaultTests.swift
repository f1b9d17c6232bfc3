import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol

/// The console's fault rules: a method that answers an error for the next N calls or every call,
/// a notify URL that answers a chosen status and body; fired counts; switched off.
@Suite struct ConsoleFaultTests {
    let api = OpenAPITests()
    let console = ConsoleTests()

    func addRule(_ client: some TestClientProtocol, cookie: String?, csrf: String, _ fields: [(String, String)]) async throws -> HTTPResponse.Status {
        try await console.post(client, "/console/faults", cookie: cookie, form: [("csrf", csrf)] + fields).0
    }

    func rules(_ client: some TestClientProtocol, cookie: String?) async throws -> String {
        try await console.get(client, "/console/faults", cookie: cookie).1
    }

    @Test func aMethodRuleAnswersItsErrorForTheNextCallsThenServiceIsBack() async throws {
        let world = try await TestWorld.make(operatorPassword: ConsoleTests.password)
        try await world.app().test(.router) { client in
            let (_, cookie) = try await console.login(client)
            let csrf = try #require(inputValue("csrf", in: try await rules(client, cookie: cookie)))
            #expect(try await addRule(client, cookie: cookie, csrf: "", [("kind", "method")]) == .forbidden, "no CSRF token")
            #expect(try await addRule(client, cookie: cookie, csrf: csrf, [("kind", "method"), ("target", "alipay.trade.pay"), ("answer", "<b>")]) == .badRequest)
            #expect(try await addRule(client, cookie: cookie, csrf: csrf, [("kind", "method"), ("target", "alipay.trade.pay"),
                                                                          ("answer", "ACQ.SYSTEM_ERROR"), ("count", "1")]) == .seeOther)
            func pay(_ outTradeNo: String) async throws -> [String: String] {
                let code = try await world.gateway.trades.issuePaymentCode(buyer: UserId(TestWorld.buyer)!)
                return try await api.call(client, try api.request(world, method: "alipay.trade.pay", biz: TradeTests().payBiz(outTradeNo, code: code.code))).object
            }
            let failed = try await pay("fault-1")
            #expect(failed["code"] == "40004" && failed["sub_code"] == "ACQ.SYSTEM_ERROR" && failed["sub_msg"] == "系统错误")
            #expect(try await pay("fault-2")["code"] == "10000", "the rule fired once, as asked")
            let page = try await rules(client, cookie: cookie)
            #expect(element("error", in: page) == nil && page.contains("<td class=\"fired\">1</td>"))

            #expect(try await addRule(client, cookie: cookie, csrf: csrf, [("kind", "method"), ("target", "alipay.trade.query"), ("answer", "20000")]) == .seeOther)
            for _ in 0..<2 {
                let down = try await api.call(client, try api.request(world, method: "alipay.trade.query", biz: #"{"out_trade_no":"fault-2"}"#)).object
                #expect(down["code"] == "20000" && down["sub_code"] == "isp.unknow-error")
            }
            let id = try #require(try await world.gateway.store.faultRules().first { $0.target == "alipay.trade.query" }?.id)
            #expect(try await console.post(client, "/console/faults/\(id)/off", cookie: cookie, form: [("csrf", csrf)]).0 == .seeOther)
            #expect(try await api.call(client, try api.request(world, method: "alipay.trade.query", biz: #"{"out_trade_no":"fault-2"}"#)).object["code"] == "10000")
            #expect(try await world.gateway.store.faultRules().first { $0.id == id }?.fired == 2)
        }
        #expect(try await world.gateway.store.trade(partner: UserId(TestWorld.partner)!, outTradeNo: "fault-1") == nil, "a faulted call does nothing")
    }

    @Test func aShareRuleFailsAboutThatShareOfCallsAndCountsEachFiring() async throws {
        let world = try await TestWorld.make(operatorPassword: ConsoleTests.password)
        try await world.app().test(.router) { client in
            let (_, cookie) = try await console.login(client)
            let csrf = try #require(inputValue("csrf", in: try await rules(client, cookie: cookie)))
            #expect(try await addRule(client, cookie: cookie, csrf: csrf, [("kind", "method"), ("target", "alipay.trade.query"), ("answer", "20000"),
                                                                          ("share", "0")]) == .badRequest)
            #expect(try await addRule(client, cookie: cookie, csrf: csrf, [("kind", "method"), ("target", "alipay.trade.query"), ("answer", "20000"),
                                                                          ("share", "x")]) == .badRequest)
            #expect(try await addRule(client, cookie: cookie, csrf: csrf, [("kind", "method"), ("target", "alipay.trade.query"), ("answer", "20000"),
                                                                          ("share", "30")]) == .seeOther)
            var failures = 0
            for _ in 0..<300 {
                let answer = try await api.call(client, try api.request(world, method: "alipay.trade.query", biz: #"{"out_trade_no":"order-paid"}"#)).object
                if answer["code"] == "20000" { failures += 1 } else { #expect(answer["code"] == "10000") }
            }
            // 300 draws at 30 %: mean 90, standard deviation ~7.9; 50…130 is five deviations each way.
            #expect((50...130).contains(failures), "\(failures) of 300")
            let rule = try #require(try await world.gateway.store.faultRules().first)
            #expect(rule.sharePercent == 30 && rule.fired == Int64(failures), "every failure is one firing")
            #expect(try await rules(client, cookie: cookie).contains("<td>30%</td>"))
        }
    }

    @Test func aBuyerRuleDeclinesThatBuyersPaymentsWithTheChosenSubCode() async throws {
        let world = try await TestWorld.make(operatorPassword: ConsoleTests.password)
        let buyer = UserId(TestWorld.buyer)!
        try await world.app().test(.router) { client in
            let (_, cookie) = try await console.login(client)
            let csrf = try #require(inputValue("csrf", in: try await rules(client, cookie: cookie)))
            #expect(try await addRule(client, cookie: cookie, csrf: csrf, [("kind", "buyer"), ("target", "15900005620"), ("answer", "ACQ.SYSTEM_ERROR")]) == .badRequest,
                    "a buyer is named by user id")
            #expect(try await addRule(client, cookie: cookie, csrf: csrf, [("kind", "buyer"), ("target", TestWorld.buyer),
                                                                          ("answer", "ACQ.BUYER_BALANCE_NOT_ENOUGH"), ("count", "2")]) == .seeOther)
            let code = try await world.gateway.trades.issuePaymentCode(buyer: buyer)
            let declined = try await api.call(client, try api.request(world, method: "alipay.trade.pay", biz: TradeTests().payBiz("declined-1", code: code.code))).object
            #expect(declined["sub_code"] == "ACQ.BUYER_BALANCE_NOT_ENOUGH" && declined["sub_msg"] == "买家余额不足")
            let cashier = try await client.post("/cashier/2026112222001400000001", form: formEncode([("account", "15900005620"), ("password", "111111")])).1
            #expect(element("error", in: cashier)?.contains("ACQ.BUYER_BALANCE_NOT_ENOUGH") == true, "the cashier declines too")
            let fresh = try await world.gateway.trades.issuePaymentCode(buyer: buyer)
            #expect(try await api.call(client, try api.request(world, method: "alipay.trade.pay", biz: TradeTests().payBiz("declined-2", code: fresh.code))).object["code"] == "10000")
        }
        #expect(try await world.gateway.store.trade(tradeNo: "2026112222001400000001")?.status == .waitBuyerPay)
    }

    @Test func aNotifyRuleAnswersForTheMerchantsEndpoint() async throws {
        let world = try await TestWorld.make(operatorPassword: ConsoleTests.password)
        try await world.app().test(.router) { client in
            let (_, cookie) = try await console.login(client)
            let csrf = try #require(inputValue("csrf", in: try await rules(client, cookie: cookie)))
            #expect(try await addRule(client, cookie: cookie, csrf: csrf, [("kind", "notify"), ("target", "http://127.0.0.1:1/"), ("answer", "503"),
                                                                          ("body", "busy"), ("count", "1")]) == .seeOther)
            let code = try await world.gateway.trades.issuePaymentCode(buyer: UserId(TestWorld.buyer)!)
            let paid = try await api.call(client, try api.request(world, method: "alipay.trade.pay", biz: TradeTests().payBiz("notify-fault", code: code.code),
                                                                  overrides: [("notify_url", "http://127.0.0.1:1/notify")])).object
            let tradeNo = try #require(paid["trade_no"])
            #expect(try await Notifier(gateway: world.gateway).deliverDue(testHTTPClient) == 1)
            let notification = try #require(try await world.gateway.store.notifications(reference: tradeNo).first)
            let tries = try await world.gateway.store.notificationAttempts(notifyId: notification.notifyId)
            #expect(tries.count == 1 && tries[0].httpStatus == 503 && tries[0].bodyPrefix == "busy" && !tries[0].acknowledged)
            let page = try await console.get(client, "/console/trades/\(tradeNo)", cookie: cookie).1
            #expect(page.contains("HTTP 503") && page.contains("<code>busy</code>"), "the try shows under the trade")
        }
    }
}
