import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol
import ZhifuSDK

@Suite struct OpenAPITests {
    /// Common parameters signed the way the official SDKs do (RSA2 over all but `sign`).
    func request(_ world: TestWorld, method: String, biz: String, overrides: [(String, String?)] = [], key: PrivateKey = TestWorld.appKey) throws -> Parameters {
        var p = Parameters([("app_id", TestWorld.appId), ("method", method), ("format", "JSON"), ("charset", "utf-8"), ("sign_type", "RSA2"),
                            ("timestamp", world.gateway.configuration.calendar.timestamp(world.gateway.clock.now)), ("version", "1.0"),
                            ("biz_content", biz)])
        for (name, value) in overrides where name != "sign" { p[name] = value }
        p["sign"] = try RSASigner(key: key, signType: .rsa2).sign(Array(SignContent.openAPIRequest(p).utf8))
        for (name, value) in overrides where name == "sign" { p["sign"] = value }
        return p
    }

    /// POSTs like the official Python SDK: common parameters in the query, biz_content in the body.
    func call(_ client: some TestClientProtocol, _ p: Parameters) async throws -> (key: String, object: [String: String], sign: String?, raw: String) {
        var query = p
        query["biz_content"] = nil
        let body = p["biz_content"].map { FormCoding.encode(Parameters([("biz_content", $0)]), charset: .utf8)! } ?? ""
        let raw = try await client.post("/gateway.do?" + FormCoding.encode(query, charset: .utf8)!, form: body).1
        if (p["charset"] ?? "utf-8").lowercased() == "utf-8", let method = p["method"] {
            Self.expectSignedByTheGateway(raw, method: method)
        }
        let json = try #require(try JSONSerialization.jsonObject(with: Data(raw.utf8)) as? [String: Any])
        let key = try #require(json.keys.first { $0.hasSuffix("_response") })
        return (key, (json[key] as? [String: Any] ?? [:]).mapValues { "\($0)" }, json["sign"] as? String, raw)
    }

    /// Every signed answer a test reads is checked as a merchant's SDK checks it: the signature
    /// (the test gateway's key, RSA2 or the app's RSA) over the exact bytes of the response object.
    static func expectSignedByTheGateway(_ raw: String, method: String) {
        guard let body = try? AlipayResponseBody(Array(raw.utf8), method: method), let sign = body.sign else { return }
        let valid = [SignType.rsa2, .rsa].contains { type in
            (try? RSAVerifier(key: TestWorld.gatewayKeys.rsa.publicKey, signType: type))?.isValidSignature(sign, for: body.object) == true
        }
        #expect(valid, "the answer to \(method) is signed over its object's bytes")
    }

    @Test func tradeQueryAnswersSignedByTheGatewayKey() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let answer = try await call(client, try request(world, method: "alipay.trade.query", biz: #"{"out_trade_no":"order-paid"}"#))
            #expect(answer.key == "alipay_trade_query_response")
            #expect(answer.object["code"] == "10000")
            #expect(answer.object["trade_status"] == "TRADE_SUCCESS" && answer.object["total_amount"] == "20.00")
            #expect(answer.object["buyer_logon_id"] == "159****5620" && answer.object["buyer_user_id"] == TestWorld.buyer)
            // The signature covers the exact bytes of the response object as sent.
            let start = answer.raw.index(answer.raw.startIndex, offsetBy: "{\"alipay_trade_query_response\":".count)
            let end = try #require(answer.raw.range(of: ",\"sign\":\"")).lowerBound
            let object = String(answer.raw[start..<end])
            let verifier = try RSAVerifier(key: world.gateway.privateKey.publicKey, signType: .rsa2)
            #expect(verifier.isValidSignature(try #require(answer.sign), for: Array(object.utf8)))

            let byTradeNo = try await call(client, try request(world, method: "alipay.trade.query", biz: #"{"trade_no":"2026112222001400000001"}"#))
            #expect(byTradeNo.object["trade_status"] == "WAIT_BUYER_PAY" && byTradeNo.object["out_trade_no"] == "order-wait")
            let missing = try await call(client, try request(world, method: "alipay.trade.query", biz: #"{"out_trade_no":"nope"}"#))
            #expect(missing.object["code"] == "40004" && missing.object["sub_code"] == "ACQ.TRADE_NOT_EXIST")
            #expect(missing.sign != nil, "40004 answers are signed too")
            let neither = try await call(client, try request(world, method: "alipay.trade.query", biz: "{}"))
            #expect(neither.object["sub_code"] == "ACQ.INVALID_PARAMETER")
        }
    }

    @Test func tradeCloseClosesOnlyUnpaidTrades() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let closed = try await call(client, try request(world, method: "alipay.trade.close", biz: #"{"out_trade_no":"order-wait"}"#))
            #expect(closed.key == "alipay_trade_close_response" && closed.object["code"] == "10000")
            #expect(closed.object["trade_no"] == "2026112222001400000001")
            let again = try await call(client, try request(world, method: "alipay.trade.close", biz: #"{"out_trade_no":"order-wait"}"#))
            #expect(again.object["sub_code"] == "ACQ.TRADE_STATUS_ERROR")
            let paid = try await call(client, try request(world, method: "alipay.trade.close", biz: #"{"out_trade_no":"order-paid"}"#))
            #expect(paid.object["sub_code"] == "ACQ.TRADE_STATUS_ERROR")
        }
        #expect(try await world.gateway.store.trade(tradeNo: "2026112222001400000001")?.status == .tradeClosed)
        #expect(try await world.gateway.store.trade(tradeNo: "2026112222001400000002")?.status == .tradeSuccess)
    }

    @Test(arguments: [
        ("method", nil, "40001", "isv.missing-method"), ("app_id", nil, "40001", "isv.missing-app-id"),
        ("method", "alipay.trade.nothing", "40002", "isv.invalid-method"), ("format", "XML", "40002", "isv.invalid-format"),
        ("sign_type", nil, "40001", "isv.missing-signature-type"), ("sign_type", "MD5", "40002", "isv.invalid-signature-type"),
        ("sign", nil, "40001", "isv.missing-signature"), ("timestamp", nil, "40001", "isv.missing-timestamp"),
        ("timestamp", "2026/11/22 10:00:00", "40002", "isv.invalid-timestamp"), ("version", nil, "40001", "isv.missing-version"),
        ("app_id", "2021999999999999", "40002", "isv.invalid-app-id"), ("sign_type", "RSA", "40002", "isv.missing-signature-config"),
        ("sign", "AAAA", "40002", "isv.invalid-signature"), ("charset", "big5", "40002", "isv.invalid-charset"),
        ("app_auth_token", "201510BB0c409dd5758b4d939d4008a525463X40", "20001", "aop.invalid-app-auth-token"),
        ("biz_content", "{not json", "40002", "isv.invalid-parameter"),
    ] as [(String, String?, String, String)])
    func commonParameterErrorsFollowSeed004(name: String, value: String?, code: String, subCode: String) async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let answer = try await call(client, try request(world, method: "alipay.trade.query", biz: #"{"out_trade_no":"order-paid"}"#, overrides: [(name, value)]))
            #expect(answer.object["code"] == code)
            #expect(answer.object["sub_code"] == subCode)
        }
    }

    @Test func methodsTheMerchantHasNotSignedUpForAre40006() async throws {
        let world = try await TestWorld.make(services: ["batch_trans_notify", "alipay.trade.query"])
        try await world.app().test(.router) { client in
            #expect(try await call(client, try request(world, method: "alipay.trade.query", biz: #"{"out_trade_no":"order-paid"}"#)).object["code"] == "10000")
            let refused = try await call(client, try request(world, method: "alipay.trade.create", biz: #"{"out_trade_no":"x","total_amount":"1.00","subject":"s"}"#))
            #expect(refused.object["code"] == "40006" && refused.object["sub_code"] == "isv.insufficient-isv-permissions")
        }
        #expect(try await world.gateway.store.trade(partner: UserId(TestWorld.partner)!, outTradeNo: "x") == nil)
    }

    @Test func aSignatureByAnotherKeyIsInvalid() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let answer = try await call(client, try request(world, method: "alipay.trade.query", biz: "{}", key: TestWorld.rsaKey))
            #expect(answer.object["sub_code"] == "isv.invalid-signature")
            #expect(answer.key == "alipay_trade_query_response")
        }
    }
}

@Suite struct TradeCreateTests {
    let api = OpenAPITests()

    @Test func createIsIdempotentPerOutTradeNo() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let biz = #"{"out_trade_no":"create-1","total_amount":"88.88","subject":"Iphone6 16G","buyer_id":"\#(TestWorld.buyer)"}"#
            let created = try await api.call(client, try api.request(world, method: "alipay.trade.create", biz: biz))
            #expect(created.key == "alipay_trade_create_response" && created.object["code"] == "10000")
            let tradeNo = try #require(created.object["trade_no"])
            #expect(tradeNo.count == 28 && tradeNo.allSatisfy(\.isNumber))
            let again = try await api.call(client, try api.request(world, method: "alipay.trade.create", biz: biz))
            #expect(again.object["trade_no"] == tradeNo, "the same request returns the same trade")
            let changed = biz.replacingOccurrences(of: "88.88", with: "88.89")
            let refused = try await api.call(client, try api.request(world, method: "alipay.trade.create", biz: changed))
            #expect(refused.object["code"] == "40004" && refused.object["sub_code"] == "ACQ.CONTEXT_INCONSISTENT")
            let queried = try await api.call(client, try api.request(world, method: "alipay.trade.query", biz: #"{"trade_no":"\#(tradeNo)"}"#))
            #expect(queried.object["trade_status"] == "WAIT_BUYER_PAY" && queried.object["total_amount"] == "88.88")
        }
        #expect(try await world.gateway.store.trade(partner: UserId(TestWorld.partner)!, outTradeNo: "create-1")?.subject == "Iphone6 16G")
    }

    @Test(arguments: [
        (#"{"total_amount":"1.00","subject":"s"}"#, "ACQ.INVALID_PARAMETER"),
        (#"{"out_trade_no":"o","total_amount":"1.00"}"#, "ACQ.INVALID_PARAMETER"),
        (#"{"out_trade_no":"o","total_amount":"1.001","subject":"s"}"#, "ACQ.INVALID_PARAMETER"),
        (#"{"out_trade_no":"o","total_amount":"0.00","subject":"s"}"#, "ACQ.TOTAL_FEE_EXCEED"),
        (#"{"out_trade_no":"o","total_amount":"99999999999","subject":"s"}"#, "ACQ.TOTAL_FEE_EXCEED"),
        (#"{"out_trade_no":"o","total_amount":"100000000.01","subject":"s"}"#, "ACQ.INVALID_PARAMETER"),
        (#"{"out_trade_no":"o","total_amount":"1.00","subject":"s","buyer_id":"2088999999999999"}"#, "ACQ.INVALID_PARAMETER"),
        (#"{"out_trade_no":"o","total_amount":"1.00","subject":"s","seller_id":"2088999999999999"}"#, "ACQ.INVALID_PARAMETER"),
        (#"{"out_trade_no":"o","total_amount":"1.00","subject":"s","goods_detail":[{"goods_id":"g1","quantity":1,"price":"1.00"}]}"#, "ACQ.INVALID_PARAMETER"),
        (#"{"out_trade_no":"o","total_amount":"1.00","subject":"s","goods_detail":{"goods_id":"g1","goods_name":"n","quantity":1,"price":"1.00"}}"#, "ACQ.INVALID_PARAMETER"),
        (#"{"out_trade_no":"o","total_amount":"1.00","subject":"s","goods_detail":[{"goods_id":"g1","goods_name":"n","quantity":1,"price":"-1"}]}"#, "ACQ.INVALID_PARAMETER"),
        (#"{"out_trade_no":"o","total_amount":"1.00","subject":"s","extend_params":"hb_fq_num=3"}"#, "ACQ.INVALID_PARAMETER"),
    ])
    func badCreateArgumentsAreRefused(biz: String, subCode: String) async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let answer = try await api.call(client, try api.request(world, method: "alipay.trade.create", biz: biz))
            #expect(answer.object["code"] == "40004" && answer.object["sub_code"] == subCode)
        }
        #expect(try await world.gateway.store.trade(partner: UserId(TestWorld.partner)!, outTradeNo: "o") == nil)
    }
}

extension OpenAPITests {
    /// goods_detail and extend_params decode into their own types: a price given as a JSON number is
    /// read from its literal, and the trade is created as with no goods at all.
    @Test func typedGoodsDetailAndExtendParamsAreAccepted() async throws {
        let world = try await TestWorld.make()
        let biz = #"{"out_trade_no":"goods-1","total_amount":"2.50","subject":"s","goods_detail":[{"goods_id":"g1","goods_name":"苹果","quantity":2,"price":1.25}],"extend_params":{"sys_service_provider_id":"2088511833207846","hb_fq_num":"3"}}"#
        try await world.app().test(.router) { client in
            let answer = try await call(client, try request(world, method: "alipay.trade.create", biz: biz))
            #expect(answer.object["code"] == "10000" && answer.object["out_trade_no"] == "goods-1")
        }
        #expect(try await world.gateway.store.trade(partner: UserId(TestWorld.partner)!, outTradeNo: "goods-1")?.amount == Amount(fen: 250))
    }
}

@Suite struct TradeCancelTests {
    let api = OpenAPITests()

    @Test func cancelClosesUnpaidAndRefundsPaidTradesOnce() async throws {
        let world = try await TestWorld.make()
        let store = world.gateway.store
        let buyerBefore = try #require(try await store.account(userId: UserId(TestWorld.buyer)!)).balance
        let sellerBefore = try #require(try await store.account(userId: UserId(TestWorld.partner)!)).balance
        try await world.app().test(.router) { client in
            let unpaid = try await api.call(client, try api.request(world, method: "alipay.trade.cancel", biz: #"{"out_trade_no":"order-wait"}"#))
            #expect(unpaid.key == "alipay_trade_cancel_response" && unpaid.object["action"] == "close" && unpaid.object["retry_flag"] == "N")
            for _ in 0..<2 {
                let paid = try await api.call(client, try api.request(world, method: "alipay.trade.cancel", biz: #"{"out_trade_no":"order-paid"}"#))
                #expect(paid.object["code"] == "10000" && paid.object["action"] == "refund")
            }
            let again = try await api.call(client, try api.request(world, method: "alipay.trade.cancel", biz: #"{"out_trade_no":"order-wait"}"#))
            #expect(again.object["action"] == "close")
        }
        #expect(try await store.trade(tradeNo: "2026112222001400000002")?.status == .tradeClosed)
        #expect(try await store.account(userId: UserId(TestWorld.buyer)!)?.balance == Amount(fen: buyerBefore.fen + 2_000))
        #expect(try await store.account(userId: UserId(TestWorld.partner)!)?.balance == Amount(fen: sellerBefore.fen - 2_000))
        #expect(try await store.transfers(reference: "2026112222001400000002").count == 2, "the payment and one refund")
        #expect(try await store.audit().isBalanced)
    }

    @Test func aSellerWhoCannotRefundLeavesTheTradePaid() async throws {
        let world = try await TestWorld.make(payerBalance: "0.00")
        let store = world.gateway.store
        // The seller spends the 20.00 it was paid.
        let spent = try await store.post([Transfer(id: "spend", debit: UserId(TestWorld.partner)!, credit: UserId("2088103000000001")!,
                                                   amount: Amount(fen: 1_500), code: .funding, reference: "test", createdAt: world.gateway.clock.now)])
        #expect(spent == [.created])
        try await world.app().test(.router) { client in
            let answer = try await api.call(client, try api.request(world, method: "alipay.trade.cancel", biz: #"{"out_trade_no":"order-paid"}"#))
            #expect(answer.object["code"] == "40004" && answer.object["sub_code"] == "ACQ.SELLER_BALANCE_NOT_ENOUGH")
        }
        #expect(try await store.trade(tradeNo: "2026112222001400000002")?.status == .tradeSuccess, "nothing changed")
        #expect(try await store.account(userId: UserId(TestWorld.partner)!)?.balance == Amount(fen: 500))
        #expect(try await store.audit().isBalanced)
    }
}
