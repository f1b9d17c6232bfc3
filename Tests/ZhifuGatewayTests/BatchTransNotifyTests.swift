import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol
import ZhifuSDK

@Suite struct BatchTransNotifyTests {
    /// Submits a batch and returns the confirm page.
    func submit(_ client: some TestClientProtocol, _ world: TestWorld, _ params: Parameters, signType: SignType = .md5,
                charset: Charset = .utf8) async throws -> (HTTPResponse.Status, String) {
        try await client.get(try world.client(signType, charset: charset).requestURL(service: "batch_trans_notify", params))
    }

    func confirm(_ client: some TestClientProtocol, page: String, account: String = TestWorld.payerLogon,
                 password: String = TestWorld.payerPassword) async throws -> String {
        let form = formEncode([("batch_id", inputValue("batch_id", in: page) ?? ""), ("token", inputValue("token", in: page) ?? ""),
                               ("account", account), ("password", password)])
        return try await client.post("/pages/batch_trans/confirm", form: form).1
    }

    @Test func requestShapedLikeTheSeedSampleShowsTheConfirmPageAndPays() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            // Seed 000 §4.3: input_charset (no underscore), DSA, raw ^ in extend_param, buyer_account_name winning over email.
            var params = world.batchParameters(records: [("testture0002@126.com", "常炜买家二", "20.00"), ("testture0002@126.com", "常炜买家二", "20.00")])
            params["_input_charset"] = nil
            var signed = Parameters([("service", "batch_trans_notify"), ("partner", TestWorld.partner), ("input_charset", "utf-8")])
            for (name, value) in params { signed[name] = value }
            let signature = try DSASigner(key: TestWorld.dsaKey).sign(Array(SignContent.mapi(signed).utf8))
            signed["sign_type"] = "DSA"
            signed["sign"] = signature
            let query = FormCoding.encode(signed, charset: .utf8)!.replacingOccurrences(of: "agent%5E123456", with: "agent^123456")
            let (status, page) = try await client.get("/gateway.do?" + query)
            #expect(status == .ok)
            #expect(element("total", in: page) == "总计: 2 笔, 付款: 40.00 元")
            #expect(page.contains("<th>商户流水号</th><th>收款人账户</th><th>收款人姓名</th><th>付款金额(元)</th><th>付款理由</th>"))
            #expect(page.contains("name=\"account\"") && page.contains("name=\"password\" type=\"password\""))
            let result = try await confirm(client, page: page)
            #expect(element("result", in: result) == "复核成功")
            #expect(element("success-count", in: result) == "2")
        }
        #expect(try await world.gateway.store.account(logonId: "testture0002@126.com")?.balance == Amount(fen: 4_000))
        #expect(try await world.gateway.store.account(logonId: TestWorld.payerLogon)?.balance == Amount(fen: 9_998_000), "100000.00 + the fixture trade's 20.00 - 40.00")
        #expect(try await world.gateway.store.audit().isBalanced)
    }

    @Test(arguments: [SignType.md5, .rsa, .dsa])
    func gbkRequestsAreReadAndVerifiedInGBK(signType: SignType) async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let url = try world.client(signType, charset: .gbk).requestURL(service: "batch_trans_notify", world.batchParameters())
            #expect(url.contains("%C3%AB%C3%AB"), "毛毛 in GBK")
            let (_, page) = try await client.get(url)
            #expect(page.contains("常炜买家二"))
            #expect(element("total", in: page) == "总计: 1 笔, 付款: 20.00 元")
        }
    }

    @Test func commonChecksAnswerWithTheSeedCodesInPrecedenceOrder() async throws {
        let world = try await TestWorld.make(
            extraAccounts: #", {"userId": "2088102000000001", "logonId": "other@zhifu.test", "name": "x"}"#,
            extraMerchants: #", {"partner": "2088102000000001", "md5Key": "ddyzqyg4yy3rbvq0cqmnuwezyn2mhp5i", "services": ["btn_status_query"]}"#)
        try await world.app().test(.router) { client in
            let good = try world.client().signedParameters(service: "batch_trans_notify", world.batchParameters())
            func code(_ mutate: (inout Parameters) -> Void, charset: Charset = .utf8) async throws -> String? {
                var params = good
                mutate(&params)
                return element("error-code", in: try await client.get("/gateway.do?" + FormCoding.encode(params, charset: charset)!).1)
            }
            #expect(try await code { $0["_input_charset"] = "big5" } == "ILLEGAL_CHARSET")
            #expect(try await code({ $0["_input_charset"] = "utf-8" }, charset: .gbk) == "ILLEGAL_CHARSET", "GBK bytes labelled utf-8")
            #expect(try await code { $0["partner"] = "2088999999999999" } == "ILLEGAL_PARTNER")
            #expect(try await code { $0["partner"] = nil } == "ILLEGAL_PARTNER")
            #expect(try await code { $0["partner"] = "2088102000000001" } == "ILLEGAL_PARTNER_EXTERFACE")
            #expect(try await code { $0["sign_type"] = "md5" } == "ILLEGAL_SIGN_TYPE")
            #expect(try await code { $0["sign_type"] = "RSA2" } == "ILLEGAL_SIGN_TYPE")
            #expect(try await code { $0["sign_type"] = nil } == "ILLEGAL_SIGN_TYPE")
            #expect(try await code { $0["sign"] = String($0["sign"]!.dropLast()) } == "ILLEGAL_SIGN")
            #expect(try await code { $0["batch_fee"] = "20.01" } == "ILLEGAL_SIGN", "a changed parameter breaks the signature")
            #expect(try await code { $0["sign"] = nil } == "ILLEGAL_SIGN")
            // A partner without a DSA key asking for DSA.
            let other = MAPIClient(gatewayURL: "/gateway.do", partner: "2088102000000001", signer: try DSASigner(key: TestWorld.dsaKey))
            let xml = try await client.get(try other.requestURL(service: "btn_status_query", Parameters([("batch_no", "20080107001")]))).1
            #expect(xml.contains("<error>ILLEGAL_SECURITY_PROFILE</error>"))
            // Unknown service, malformed escapes: machine-style XML when the service is unknown.
            #expect(try await client.get("/gateway.do?service=no_such_service&partner=\(TestWorld.partner)").1.contains("<error>ILLEGAL_SERVICE</error>"))
            #expect(try await client.get("/gateway.do?partner=\(TestWorld.partner)").1.contains("<error>ILLEGAL_SERVICE</error>"))
            let truncated = try await client.get("/gateway.do?service=batch_trans_notify&account_name=%E6%AF%9").1
            #expect(element("error-code", in: truncated) == "ILLEGAL_ARGUMENT")
            // Extra parameters old clients add are accepted (and signed).
            var extra = world.batchParameters(batchNo: "20080107099")
            extra["payment_type"] = "1"
            extra["seller_id"] = TestWorld.partner
            let page = try await client.get(try world.client().requestURL(service: "batch_trans_notify", extra)).1
            #expect(element("total", in: page) != nil)
        }
        #expect(try await world.gateway.store.audit().isBalanced)
    }

    @Test func signaturesOverTheKeepEmptyVariantAreAccepted() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            var params = world.batchParameters()
            params["service"] = "batch_trans_notify"; params["partner"] = TestWorld.partner; params["_input_charset"] = "utf-8"
            params["extend_param"] = ""
            params["sign"] = MD5Signer(key: TestWorld.md5Key).sign(Array(SignContent.mapi(params, emptyValues: .kept).utf8))
            params["sign_type"] = "MD5"
            let page = try await client.get("/gateway.do?" + FormCoding.encode(params, charset: .utf8)!).1
            #expect(element("total", in: page) == "总计: 1 笔, 付款: 20.00 元")
        }
    }

    @Test(arguments: [
        ("batch_no", "2008010700", "BATCH_NO_FORMAT_ERROR"), ("batch_no", "20080107-001", "BATCH_NO_FORMAT_ERROR"),
        ("batch_num", "2", "BATCH_NUM_NOT_EQUAL_TOTAL"), ("batch_num", "x", "BATCH_NUM_ERROR"), ("batch_num", "1001", "BATCH_NUM_EXCEED_LIMIT"),
        ("batch_fee", "20.01", "ILLEGAL_ARGUMENT"), ("batch_fee", "20.001", "ILLEGAL_ARGUMENT"), ("pay_date", "20080107", "ILLEGAL_ARGUMENT"),
        ("account_name", "", "ILLEGAL_ARGUMENT"), ("account_name", "猫猫", "ACCOUNT_NOT_CONSISTENT"),
        ("buyer_account_name", "nobody@zhifu.test", "USER_NOT_EXIST"), ("buyer_account_name", "payee2@zhifu.test", "ACCOUNT_NOT_CONSISTENT"),
        ("detail_data", "1^a@b.c^名^20.00", "ILLEGAL_ARGUMENT"), ("detail_data", "1^a@b.c^名^20.001^x", "ILLEGAL_ARGUMENT"),
        ("extend_param", "agent", "ILLEGAL_ARGUMENT"), ("notify_url", "ftp://x.y/z", "ILLEGAL_ARGUMENT"),
    ])
    func businessArgumentsAreCheckedWithTheirCodes(name: String, value: String, expected: String) async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            var params = world.batchParameters()
            params[name] = value
            let page = try await submit(client, world, params).1
            #expect(element("error-code", in: page) == expected, "\(name)=\(value): \(element("error-detail", in: page) ?? "")")
        }
        #expect(try await world.gateway.store.batch(partner: UserId(TestWorld.partner)!, batchNo: "20080107001") == nil)
    }

    @Test func withoutEmailOrBuyerAccountNameThePayerIsUnknown() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            var params = world.batchParameters()
            params["email"] = nil
            params["buyer_account_name"] = nil
            let refused = try await submit(client, world, params).1
            #expect(element("error-code", in: refused) == "ILLEGAL_ARGUMENT")
            params["email"] = TestWorld.payerLogon
            let accepted = try await submit(client, world, params).1
            #expect(element("total", in: accepted) != nil, "email alone names the payer")
        }
    }

    @Test func thousandRecordBatchPaysEveryRecordOnce() async throws {
        let world = try await TestWorld.make()
        let records = (0..<1000).map { _ in ("payee2@zhifu.test", "王五", "0.01") }
        try await world.app().test(.router) { client in
            let page = try await submit(client, world, world.batchParameters(records: records)).1
            #expect(element("total", in: page) == "总计: 1000 笔, 付款: 10.00 元")
            let result = try await confirm(client, page: page)
            #expect(element("success-count", in: result) == "1000")
            var thousandAndOne = world.batchParameters(batchNo: "20080107002", records: records + [("payee2@zhifu.test", "王五", "0.01")])
            thousandAndOne["batch_num"] = "1000"
            #expect(try await element("error-code", in: submit(client, world, thousandAndOne).1) == "BATCH_NUM_EXCEED_LIMIT")
        }
        #expect(try await world.gateway.store.account(logonId: "payee2@zhifu.test")?.balance == Amount(fen: 1_000))
        let audit = try await world.gateway.store.audit()
        #expect(audit.isBalanced)
    }

    @Test func repeatedBatchNoShowsTheSameBatchAndNeverPaysTwice() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let first = try await submit(client, world, world.batchParameters()).1
            let again = try await submit(client, world, world.batchParameters()).1
            #expect(inputValue("token", in: first) == inputValue("token", in: again))
            _ = try await confirm(client, page: first)
            let afterPaying = try await submit(client, world, world.batchParameters()).1
            #expect(element("result", in: afterPaying) == "复核成功")
            #expect(try await element("error-code", in: confirm(client, page: first)) == nil, "confirming again shows the result")
            var different = world.batchParameters()
            different["detail_data"] = "0000001^testture0002@126.com^常炜买家二^20.00^changed"
            #expect(try await element("error-code", in: submit(client, world, different).1) == "DUPLICATE_BATCH_NO")
        }
        #expect(try await world.gateway.store.account(logonId: "testture0002@126.com")?.balance == Amount(fen: 2_000))
    }

    @Test func fiveWrongPasswordsBlockThePayer() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let page = try await submit(client, world, world.batchParameters()).1
            for attempt in 1...4 {
                let answer = try await confirm(client, page: page, password: "000000")
                #expect(element("error-code", in: answer) == "USER_PASS_ERROR", "attempt \(attempt)")
            }
            #expect(try await element("error-code", in: confirm(client, page: page, password: "000000")) == "USER_BLOCK_STATUS")
            #expect(try await element("error-code", in: confirm(client, page: page)) == "USER_BLOCK_STATUS", "even the right password")
            #expect(try await element("error-code", in: confirm(client, page: page, account: "payee2@zhifu.test")) == "ACCOUNT_NOT_CONSISTENT")
            var forged = page
            forged = forged.replacingOccurrences(of: inputValue("token", in: page)!, with: "forged")
            #expect(try await element("error-code", in: confirm(client, page: forged)) == "SESSION_TIMEOUT")
            // A blocked payer cannot start a new batch either.
            #expect(try await element("error-code", in: submit(client, world, world.batchParameters(batchNo: "20080107003")).1) == "USER_BLOCK_STATUS")
        }
        #expect(try await world.gateway.store.account(logonId: TestWorld.payerLogon)?.status == .blocked)
        #expect(try await world.gateway.store.account(logonId: "testture0002@126.com")?.balance == .zero)
    }

    @Test func aRightPasswordResetsTheWrongCount() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let page = try await submit(client, world, world.batchParameters()).1
            for _ in 1...4 { _ = try await confirm(client, page: page, password: "000000") }
            _ = try await confirm(client, page: page)
        }
        #expect(try await world.gateway.store.account(logonId: TestWorld.payerLogon)?.failedPasswordAttempts == 0)
    }

    @Test func eachRecordGetsItsOwnOutcome() async throws {
        let world = try await TestWorld.make(payerBalance: "100.00")
        try await world.app().test(.router) { client in
            let records = [("testture0002@126.com", "常炜买家二", "10.00"), ("nobody@zhifu.test", "无名", "1.00"),
                           ("payee2@zhifu.test", "不是王五", "1.00"), ("blocked@zhifu.test", "赵六", "1.00"),
                           (TestWorld.payerLogon, "毛毛", "1.00"), ("payee2@zhifu.test", "王五", "80.00"), ("payee2@zhifu.test", "王五", "30.01"),
                           ("2088103000000001", "王五", "0.50")]
            let page = try await submit(client, world, world.batchParameters(records: records)).1
            _ = try await confirm(client, page: page)
        }
        let batch = try #require(try await world.gateway.store.batch(partner: UserId(TestWorld.partner)!, batchNo: "20080107001"))
        #expect(batch.status == .completed)
        #expect(batch.details.map(\.status) == [.success, .failure, .failure, .failure, .failure, .success, .failure, .success])
        #expect(batch.details.map { $0.reason ?? "null" } == ["null", "RECEIVE_USER_NOT_EXIST", "ACCOUNT_NAME_NOT_MATCH",
                                                              "TXN_RESULT_ACCOUNT_STATUS_NOT_VALID", "TXN_RESULT_TRANSFER_OUT_CAN_NOT_EQUAL_IN",
                                                              "null", "TXN_RESULT_ACCOUNT_BALANCE_NOT_ENOUGH", "null"])
        #expect(Set(batch.details.compactMap(\.innerNo)).count == 8)
        #expect(try await world.gateway.store.account(logonId: TestWorld.payerLogon)?.balance == Amount(fen: 2_950), "100.00 + the fixture trade's 20.00 - 90.50")
        #expect(try await world.gateway.store.account(logonId: "payee2@zhifu.test")?.balance == Amount(fen: 8_050))
        #expect(try await world.gateway.store.audit().isBalanced)
    }

    @Test func btnStatusQueryReportsTheBatch() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let query = { try await client.get(try world.client().requestURL(service: "btn_status_query", Parameters([("batch_no", "20080107001")]))).1 }
            #expect(try await query().contains("<error>QUERY_RESULT_IS_NULL</error>"))
            let page = try await submit(client, world, world.batchParameters()).1
            #expect(try await query().contains("<batch_status>WAIT_CONFIRM</batch_status>"))
            _ = try await confirm(client, page: page)
            let xml = try await query()
            #expect(xml.contains("<is_success>T</is_success>"))
            #expect(xml.contains("<batch_status>COMPLETED</batch_status>"))
            #expect(xml.contains("<success_details>0000001^testture0002@126.com^常炜买家二^20.00^S^null^"))
        }
    }

    @Test func pagesEscapeWhatTheMerchantSent() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let params = world.batchParameters(records: [("<script>alert(1)</script>", "\"><img src=x>", "1.00")])
            let page = try await submit(client, world, params).1
            #expect(!page.contains("<script>alert(1)"))
            #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(page.contains("&quot;&gt;&lt;img src=x&gt;"))
        }
    }
}
