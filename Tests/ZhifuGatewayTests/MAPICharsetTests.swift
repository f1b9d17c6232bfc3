import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol

/// Issue 16: a MAPI request without `_input_charset` is GBK, as on Alipay, and so is everything
/// it leads to (pages, XML, notifications).
@Suite struct MAPICharsetTests {
    let batch = BatchTransNotifyTests()

    /// The parameters signed as a merchant does who sends no `_input_charset`: sign string in `signCharset`.
    func unlabelled(_ world: TestWorld, service: String, _ params: Parameters, signCharset: Charset = .gbk) throws -> Parameters {
        var signed = Parameters([("service", service), ("partner", TestWorld.partner)])
        for (name, value) in params { signed[name] = value }
        signed["sign"] = try MD5Signer(key: TestWorld.md5Key).sign(try #require(signCharset.encode(SignContent.mapi(signed))))
        signed["sign_type"] = "MD5"
        return signed
    }

    @Test func seed000SampleWithoutInputCharsetIsReadAsGBKThroughToTheNotification() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            // Seed 000 §4.3's values (dates made current), GBK-encoded, no charset named.
            let params = try unlabelled(world, service: "batch_trans_notify", world.batchParameters())
            let query = try #require(FormCoding.encode(params, charset: .gbk))
            #expect(query.contains("account_name=%C3%AB%C3%AB"), "毛毛 in GBK, as in the seed's sample")
            let page = try await client.execute(uri: "/gateway.do?" + query, method: .get) { $0 }
            #expect(page.status == .ok && page.headers[.contentType] == "text/html; charset=gbk")
            let html = try bodyText(page)
            #expect(html.contains("<meta charset=\"gbk\">") && html.contains("常炜买家二"))
            #expect(element("total", in: html) == "总计: 1 笔, 付款: 20.00 元")
            let result = try await batch.confirm(client, page: html)
            #expect(element("result", in: result) == "复核成功")

            // btn_status_query without a charset answers GBK XML.
            let status = try unlabelled(world, service: "btn_status_query", Parameters([("batch_no", "20080107001")]))
            let xml = try await client.execute(uri: "/gateway.do?" + FormCoding.encode(status, charset: .gbk)!, method: .get) { $0 }
            #expect(xml.headers[.contentType] == "text/xml; charset=GBK")
            let text = try bodyText(xml)
            #expect(text.hasPrefix("<?xml version=\"1.0\" encoding=\"GBK\"?>") && text.contains("常炜买家二"))
        }
        let told = try await world.gateway.store.claimDueNotifications(now: world.gateway.clock.now.addingTimeInterval(60), limit: 5, leaseSeconds: 1)
        #expect(told.count == 1 && told.first?.charset == .gbk)
        #expect(told.first?.parameters["success_details"]?.contains("常炜买家二") == true)
    }

    @Test func aUTF8RequestWithoutInputCharsetIsReadAsGBK() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            // 毛毛 in UTF-8 happens to be three valid GBK byte pairs: read as GBK it is other characters,
            // no longer the payer's name. The signature still verifies (it covers the same bytes).
            let params = world.batchParameters(records: [("testture0002@126.com", "Lee", "20.00")])
            let signed = try unlabelled(world, service: "batch_trans_notify", params, signCharset: .utf8)
            let refused = try await client.get("/gateway.do?" + FormCoding.encode(signed, charset: .utf8)!).1
            #expect(element("error-code", in: refused) == "ACCOUNT_NOT_CONSISTENT", "毛毛 read as GBK is not the payer's name")
            #expect(try #require(Charset.gbk.decode(Array("毛毛".utf8))) != "毛毛")
            // The same request labelled utf-8 is fine.
            let labelled = try world.client().requestURL(service: "batch_trans_notify", params)
            #expect(element("error-code", in: try await client.get(labelled).1) == nil)
        }
    }

    @Test(arguments: ["account_name=%FF%FF", "account_name=%81", "account_name=%81%7F"])
    func bytesThatAreNotGBKAreIllegalCharset(pair: String) async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let signed = try unlabelled(world, service: "batch_trans_notify", world.batchParameters())
            var query = try #require(FormCoding.encode(signed, charset: .gbk))
            query = query.replacingOccurrences(of: "account_name=%C3%AB%C3%AB", with: pair)
            #expect(element("error-code", in: try await client.get("/gateway.do?" + query).1) == "ILLEGAL_CHARSET")
        }
        #expect(try await world.gateway.store.batch(partner: UserId(TestWorld.partner)!, batchNo: "20080107001") == nil)
    }

    @Test(arguments: ["", "big5", "utf-16"])
    func aNamedButEmptyOrUnknownInputCharsetIsIllegalCharset(name: String) async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            var signed = try world.client().signedParameters(service: "batch_trans_notify", world.batchParameters())
            signed["_input_charset"] = name
            #expect(element("error-code", in: try await client.get("/gateway.do?" + FormCoding.encode(signed, charset: .utf8)!).1) == "ILLEGAL_CHARSET")
        }
    }
}
