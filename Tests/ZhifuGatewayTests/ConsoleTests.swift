import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol
import ZhifuSDK

/// The operator console: sessions, CSRF, escaping, a trade's story with its notifications, resend.
@Suite struct ConsoleTests {
    let api = OpenAPITests()
    static let password = "op-Secret-42"

    func login(_ client: some TestClientProtocol, password: String = Self.password) async throws -> (HTTPResponse.Status, String?) {
        try await client.execute(uri: "/console/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                 body: ByteBuffer(string: formEncode([("password", password)]))) { response in
            (response.status, response.headers[.setCookie].flatMap { $0.split(separator: ";").first.map(String.init) })
        }
    }

    func get(_ client: some TestClientProtocol, _ uri: String, cookie: String?) async throws -> (HTTPResponse.Status, String, String?) {
        var headers: HTTPFields = [:]
        if let cookie { headers[.cookie] = cookie }
        return try await client.execute(uri: uri, method: .get, headers: headers) { ($0.status, try bodyText($0), $0.headers[.location]) }
    }

    func post(_ client: some TestClientProtocol, _ uri: String, cookie: String?, form: [(String, String)]) async throws -> (HTTPResponse.Status, String?) {
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if let cookie { headers[.cookie] = cookie }
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: formEncode(form))) {
            ($0.status, $0.headers[.location])
        }
    }

    @Test func everyConsoleRouteWithoutASessionGoesToTheLogin() async throws {
        let world = try await TestWorld.make(operatorPassword: Self.password)
        try await world.app().test(.router) { client in
            for uri in ["/console", "/console/trades/2026112222001400000001", "/console/notifications", "/console/batches", "/console/batches/bptb/B1"] {
                let answer = try await get(client, uri, cookie: nil)
                #expect(answer.0 == .seeOther && answer.2 == "/console/login", "\(uri)")
                let forged = try await get(client, uri, cookie: "zhifu_console=0.9999999999.deadbeef")
                #expect(forged.0 == .seeOther, "a forged cookie is no session: \(uri)")
            }
            for uri in ["/console/audit", "/console/clock/advance", "/console/notifications/x/resend", "/console/logout"] {
                #expect(try await post(client, uri, cookie: nil, form: []).1 == "/console/login", "\(uri)")
            }
            #expect(try await login(client, password: "wrong").0 == .unauthorized)
            let (_, cookie) = try await login(client)
            #expect(cookie?.hasPrefix("zhifu_console=") == true)
            // A buyer's cookie is not a console session, nor the other way round.
            #expect(try await get(client, "/console", cookie: cookie?.replacingOccurrences(of: "zhifu_console", with: "zhifu_buyer")).0 == .seeOther)
            #expect(try await get(client, "/console", cookie: cookie).0 == .ok)
        }
        let disabled = try await TestWorld.make()
        try await disabled.app().test(.router) { client in
            let answer = try await get(client, "/console/login", cookie: nil)
            #expect(answer.0 == .notFound, "--console off")
        }
    }

    @Test func parallelWrongPasswordsCloseTheLoginForAWindowEvenToTheRightOne() async throws {
        let world = try await TestWorld.make(operatorPassword: Self.password)
        try await world.app().test(.router) { client in
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<20 { group.addTask { try await login(client, password: "wrong").0 } }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == .unauthorized || $0 == .tooManyRequests }, "\(statuses)")
            #expect(try await login(client).0 == .tooManyRequests, "the right password waits for the window too")
            world.gateway.manualClock!.advance(seconds: 900)
            #expect(try await login(client).0 == .seeOther, "a new window")
        }
        let failures = try await world.gateway.store.setting("console.login_failures.\(Int64(world.gateway.clock.now.timeIntervalSince1970 - 900) / 900)")
        #expect(failures.flatMap(Int64.init).map { $0 >= 10 } == true, "each wrong one counted: \(failures ?? "")")
    }

    @Test func theOperatorSeesATradesStoryWithItsNotificationsAndResendsOne() async throws {
        let world = try await TestWorld.make(operatorPassword: Self.password)
        try await world.app().test(.router) { client in
            let code = try await world.gateway.trades.issuePaymentCode(buyer: UserId(TestWorld.buyer)!)
            let paid = try await api.call(client, try api.request(world, method: "alipay.trade.pay",
                                                                  biz: TradeTests().payBiz("console-1", code: code.code, extra: #","body":"<script>alert(1)</script>""#),
                                                                  overrides: [("notify_url", "http://127.0.0.1:1/notify")]))
            let tradeNo = try #require(paid.object["trade_no"])
            _ = try await api.call(client, try api.request(world, method: "alipay.trade.refund", biz: #"{"trade_no":"\#(tradeNo)","refund_amount":"2.00","out_request_no":"r1"}"#))
            let (_, cookie) = try await login(client)
            let page = try await get(client, "/console/trades/\(tradeNo)", cookie: cookie)
            #expect(page.0 == .ok && element("trade-no", in: page.1) == tradeNo && element("trade-status", in: page.1) == "TRADE_SUCCESS")
            #expect(page.1.contains("支付成功 10.00") && page.1.contains("退款 2.00 (r1)") && page.1.contains("trade_pay"))
            #expect(page.1.components(separatedBy: "class=\"notification\"").count - 1 == 2, "the payment's and the refund's notification")
            let notifyId = try #require(try await world.gateway.store.notifications(reference: tradeNo).first?.notifyId)

            let csrf = try #require(inputValue("csrf", in: page.1))
            #expect(try await post(client, "/console/notifications/\(notifyId)/resend", cookie: cookie, form: []).0 == .forbidden, "no CSRF token")
            #expect(try await post(client, "/console/notifications/\(notifyId)/resend", cookie: cookie, form: [("csrf", (csrf.first == "0" ? "1" : "0") + csrf.dropFirst())]).0 == .forbidden)
            world.gateway.manualClock!.advance(seconds: 60)
            let resent = try await post(client, "/console/notifications/\(notifyId)/resend", cookie: cookie, form: [("csrf", csrf), ("back", "//evil.example")])
            #expect(resent.0 == .seeOther && resent.1 == "/console", "only console pages as the way back")
            let due = try #require(try await world.gateway.store.notification(notifyId: notifyId))
            #expect(due.status == .pending && due.nextAttemptAt == world.gateway.clock.now)

            let home = try await get(client, "/console", cookie: cookie).1
            #expect(home.contains("id=\"trade-totals\"") && home.contains("<td>TRADE_SUCCESS</td>"), "totals by status")
            #expect(home.contains("id=\"chart-payments\"") && home.contains("<svg") && home.contains("now: 30.00"), "this payment and the fixture's in the last hour's bar")
            #expect(home.contains("id=\"chart-latency\""))
            let ledger = try await get(client, "/console/ledger?reference=\(tradeNo)", cookie: cookie).1
            #expect(ledger.components(separatedBy: "class=\"transfer\"").count - 1 == 2 && ledger.contains("href=\"/console/trades/\(tradeNo)\""),
                    "the payment and the refund, linked to the trade")
            let audited = try await client.execute(uri: "/console/audit", method: .post,
                                                   headers: [.contentType: "application/x-www-form-urlencoded", .cookie: cookie ?? ""],
                                                   body: ByteBuffer(string: formEncode([("csrf", csrf)]))) { try bodyText($0) }
            #expect(element("audit-result", in: audited)?.hasSuffix("balanced") == true)
            #expect(try await post(client, "/console/logout", cookie: cookie, form: [("csrf", csrf)]).1 == "/console/login")
            #expect(try await get(client, "/console", cookie: cookie).0 == .seeOther, "logged out on the server: the old cookie is over")
        }
    }

    @Test func theOperatorFindsAnAccountMovesSandboxMoneyAndBlocksIt() async throws {
        let world = try await TestWorld.make(operatorPassword: Self.password, adminToken: AdminAPITests.token)
        let buyer = UserId(TestWorld.buyer)!
        let before = try #require(try await world.gateway.store.account(userId: buyer)).balance
        try await world.app().test(.router) { client in
            let (_, cookie) = try await login(client)
            let page = try await get(client, "/console/accounts?q=1590", cookie: cookie).1
            #expect(page.contains(TestWorld.buyer) && page.contains(before.description) && !page.contains(TestWorld.partner), "found by logon id prefix")
            #expect(try await get(client, "/console/accounts?q=%25", cookie: cookie).1.contains("class=\"account\"") == false, "% is no wildcard")
            let csrf = try #require(inputValue("csrf", in: page))
            #expect(try await post(client, "/console/accounts/\(TestWorld.buyer)/deposit", cookie: cookie, form: [("csrf", csrf), ("amount", "10.00")]).0 == .seeOther)
            #expect(try await post(client, "/console/accounts/\(TestWorld.buyer)/withdraw", cookie: cookie,
                                   form: [("csrf", csrf), ("amount", "999.00")]).0 == .badRequest, "more than available")
            #expect(try await post(client, "/console/accounts/\(TestWorld.buyer)/deposit", cookie: cookie, form: [("amount", "10.00")]).0 == .forbidden)
            #expect(try await post(client, "/console/accounts/\(TestWorld.buyer)/block", cookie: cookie, form: [("csrf", csrf)]).0 == .seeOther)
            let code = try await world.gateway.trades.issuePaymentCode(buyer: buyer)
            let refused = try await api.call(client, try api.request(world, method: "alipay.trade.pay", biz: TradeTests().payBiz("blocked-1", code: code.code))).object
            #expect(refused["sub_code"] == "ACQ.BUYER_ENABLE_STATUS_FORBID")
            #expect(try await post(client, "/console/accounts/\(TestWorld.buyer)/unblock", cookie: cookie, form: [("csrf", csrf)]).0 == .seeOther)
            let viaAPI = try await AdminAPITests().call(client, .post, "/admin/api/accounts/\(TestWorld.buyer)/withdraw", form: "amount=5.00")
            #expect(viaAPI.0 == .ok && viaAPI.1?["balance"] as? String == Amount(fen: before.fen + 500).description)
        }
        #expect(try await world.gateway.store.account(userId: buyer)?.status == .normal)
        #expect(try await world.gateway.store.audit().isBalanced)
    }

    @Test func theOperatorClosesAndRefundsTradesAndSeesANotificationsSignedForm() async throws {
        let world = try await TestWorld.make(operatorPassword: Self.password)
        try await world.app().test(.router) { client in
            let (_, cookie) = try await login(client)
            let waiting = try await get(client, "/console/trades?status=WAIT_BUYER_PAY", cookie: cookie).1
            #expect(waiting.contains("2026112222001400000001") && !waiting.contains("2026112222001400000002"), "filtered by status")
            let csrf = try #require(inputValue("csrf", in: waiting))
            #expect(try await post(client, "/console/trades/2026112222001400000001/close", cookie: cookie, form: [("csrf", csrf)]).0 == .seeOther)
            #expect(try await world.gateway.store.trade(tradeNo: "2026112222001400000001")?.status == .tradeClosed)
            #expect(try await post(client, "/console/trades/2026112222001400000002/refund", cookie: cookie,
                                   form: [("csrf", csrf), ("amount", "20.01")]).0 == .badRequest, "never more than paid")
            #expect(try await post(client, "/console/trades/2026112222001400000002/refund", cookie: cookie, form: [("csrf", csrf), ("amount", "5.00")]).0 == .seeOther)
            #expect(try await world.gateway.trades.refunds(tradeNo: "2026112222001400000002").map(\.amount) == [Amount(fen: 500)])

            let code = try await world.gateway.trades.issuePaymentCode(buyer: UserId(TestWorld.buyer)!)
            let paid = try await api.call(client, try api.request(world, method: "alipay.trade.pay", biz: TradeTests().payBiz("signed-form", code: code.code),
                                                                  overrides: [("notify_url", "http://127.0.0.1:1/notify")])).object
            let paidTradeNo = try #require(paid["trade_no"])
            let notification = try #require(try await world.gateway.store.notifications(reference: paidTradeNo).first)
            let page = try await get(client, "/console/notifications/\(notification.notifyId)", cookie: cookie).1
            let form = try #require(element("signed-form", in: page))
            #expect(form.contains("notify_id=\(notification.notifyId)") && form.contains("&amp;sign=") && form.contains("sign_type=RSA2"))
            let sink = NotifySink(script: [(.ok, "success")])
            try await sink.app().test(.live) { sinkClient in
                let elsewhere = "http://127.0.0.1:\(try #require(sinkClient.port))/notify"
                let replayed = try await client.execute(uri: "/console/notifications/\(notification.notifyId)/replay", method: .post,
                                                        headers: [.contentType: "application/x-www-form-urlencoded", .cookie: cookie ?? ""],
                                                        body: ByteBuffer(string: formEncode([("csrf", csrf), ("url", elsewhere)]))) { try bodyText($0) }
                #expect(element("replay-outcome", in: replayed) == "\(elsewhere): HTTP 200 success")
                #expect(sink.received.withLock { $0.first?.body.contains("notify_id=\(notification.notifyId)") } == true, "the signed form went there")
            }
            #expect(try await world.gateway.store.notificationAttempts(notifyId: notification.notifyId).isEmpty, "a replay is not a try of the outbox")
        }
    }

    @Test func theOperatorRotatesAMerchantsMD5KeyAndAddsAnAccount() async throws {
        let world = try await TestWorld.make(operatorPassword: Self.password)
        let partner = UserId(TestWorld.partner)!
        try await world.app().test(.router) { client in
            let (_, cookie) = try await login(client)
            let page = try await get(client, "/console/merchants", cookie: cookie).1
            #expect(page.contains(TestWorld.partner) && page.contains(TestWorld.appId) && page.contains("MD5 RSA DSA"))
            let csrf = try #require(inputValue("csrf", in: page))
            let rotated = try await client.execute(uri: "/console/merchants/\(TestWorld.partner)/rotate-md5", method: .post,
                                                   headers: [.contentType: "application/x-www-form-urlencoded", .cookie: cookie ?? ""],
                                                   body: ByteBuffer(string: formEncode([("csrf", csrf)]))) { try bodyText($0) }
            let key = try #require(element("new-md5-key", in: rotated))
            #expect(key.count == 32 && key != TestWorld.md5Key)
            #expect(try await world.gateway.store.merchant(partner: partner)?.md5Key == key)
            let pem = try await get(client, "/console/gateway_public.pem", cookie: cookie).1
            #expect(pem.hasPrefix("-----BEGIN PUBLIC KEY-----"))

            let form = [("csrf", csrf), ("user_id", "2088107000000001"), ("logon_id", "new@zhifu.test"), ("name", "新用户"), ("password", "246810")]
            #expect(try await post(client, "/console/accounts/new", cookie: cookie, form: form).1 == "/console/accounts?q=2088107000000001")
            #expect(try await post(client, "/console/accounts/new", cookie: cookie, form: form).0 == .badRequest, "the user id exists")
            #expect(try await post(client, "/console/accounts/new", cookie: cookie,
                                   form: [("csrf", csrf), ("user_id", "12"), ("logon_id", "x"), ("name", "x"), ("password", "246810")]).0 == .badRequest)
        }
        let account = try #require(try await world.gateway.store.account(userId: UserId("2088107000000001")!))
        #expect(account.balance == .zero && PaymentPassword.verify("246810", against: account.passwordHash ?? ""))
    }

    /// MAPI reads merchants from the node's cache: the rotation must clear it, or the old key would
    /// verify for up to a second more.
    @Test func aRotatedMD5KeyStopsVerifyingMAPIRequestsAtOnce() async throws {
        let world = try await TestWorld.make(operatorPassword: Self.password)
        try await world.app().test(.router) { client in
            let status = Parameters([("batch_no", "20080107001")])
            func code(_ md5Key: String) async throws -> String {
                let mapi = MAPIClient(gatewayURL: "/gateway.do", partner: TestWorld.partner, signer: MD5Signer(key: md5Key))
                let xml = try await client.get(try mapi.requestURL(service: "btn_status_query", status)).1
                return xml.split(separator: "<error>").dropFirst().first?.split(separator: "<").first.map(String.init) ?? xml
            }
            // Logged in first: the login's slow KDF must not let the cached entry expire on its own.
            let (_, cookie) = try await login(client)
            let csrf = try #require(inputValue("csrf", in: try await get(client, "/console/merchants", cookie: cookie).1))
            // No such batch: an answer past the signature check.
            #expect(try await code(TestWorld.md5Key) == "QUERY_RESULT_IS_NULL", "the merchant is now in the node's cache")
            let rotated = try await client.execute(uri: "/console/merchants/\(TestWorld.partner)/rotate-md5", method: .post,
                                                   headers: [.contentType: "application/x-www-form-urlencoded", .cookie: cookie ?? ""],
                                                   body: ByteBuffer(string: formEncode([("csrf", csrf)]))) { try bodyText($0) }
            let key = try #require(element("new-md5-key", in: rotated))
            #expect(try await code(TestWorld.md5Key) == "ILLEGAL_SIGN")
            #expect(try await code(key) == "QUERY_RESULT_IS_NULL")
        }
    }

    @Test func valuesFromMerchantsAreShownEscaped() async throws {
        let world = try await TestWorld.make(operatorPassword: Self.password)
        try await world.app().test(.router) { client in
            let created = try await api.call(client, try api.request(world, method: "alipay.trade.create",
                                                                     biz: #"{"out_trade_no":"<img/src=x/onerror=alert(1)>","total_amount":"1.00","subject":"<script>alert(1)</script>"}"#))
            let tradeNo = try #require(created.object["trade_no"])
            let (_, cookie) = try await login(client)
            let trade = try await get(client, "/console/trades/\(tradeNo)", cookie: cookie).1
            #expect(trade.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the subject, escaped")
            for uri in ["/console", "/console/trades/\(tradeNo)"] {
                let body = try await get(client, uri, cookie: cookie).1
                #expect(!body.contains("<script>alert") && !body.contains("<img/src"), "\(uri)")
                #expect(body.contains("&lt;img/src=x/onerror=alert(1)&gt;"), "\(uri)")
            }
            // The gateway's own routes take no console cookie as anything.
            var forged = try api.request(world, method: "alipay.trade.query", biz: #"{"trade_no":"\#(tradeNo)"}"#)
            forged["sign"] = "AAAA"
            let answer = try await client.execute(uri: "/gateway.do", method: .post,
                                                  headers: [.contentType: "application/x-www-form-urlencoded", .cookie: cookie ?? ""],
                                                  body: ByteBuffer(string: FormCoding.encode(forged, charset: .utf8)!)) { try bodyText($0) }
            #expect(answer.contains("isv.invalid-signature"))
        }
    }
}
