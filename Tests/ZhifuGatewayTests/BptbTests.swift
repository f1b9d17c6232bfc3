import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import ZIPFoundation
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol
import ZhifuSDK

/// Batch pay to bank accounts (seeds 002 and 003): upload, review with the payment password, the
/// bank's clearing and refund tickets, the notifications and the refund file.
@Suite struct BptbTests {
    static let payer = UserId(TestWorld.partner)!
    static let header = BptbValidation.columns.joined(separator: ",")
    /// Four valid rows (10.00 in all) and one of the seed's invalid ones. The bank of `bank`
    /// bounces the second (by account) and the third (by name).
    static let csv = """
        \(header)
        p001,王一,6222000000000001,浙江省,杭州,中国工商银行,西湖支行,1.00,2,工资
        p002,王二,6222000000000002,浙江省,杭州,中国工商银行,,2.00,2,
        p003,李四,6222000000000003,四川省,成都,中国建设银行,高新支行,3.00,1,货款
        p004,王四,6222000000000004,安徽省,阜阳,中国农业银行,,4.00,2,
        20080515001,张三,1.23457E+15,,阜阳,中国农业银行,安徽省阜阳市分行核算中心,1.00,2,
        """
    static let bank = BankSimulator(clearingDelay: 600, rules: [.init(.accountNo("6222000000000002"), reason: "账号不存在"),
                                                                .init(.payeeName("李四"), reason: "账户名有误")])

    /// A signed multipart upload of `file`; `mutate` changes the signed fields.
    static func upload(_ world: TestWorld, _ client: some TestClientProtocol, fileName: String = "BPTB_20101220_4178.csv", file: [UInt8],
                       _ mutate: (inout Parameters) -> Void = { _ in }) async throws -> String {
        var fields = Parameters([("file_name", fileName), ("file_digest", Hex.lowercase(Digest.md5(file)))])
        mutate(&fields)
        let signed = try world.client().signedParameters(service: BptbService.uploadService, fields)
        let boundary = "----zhifu" + SecureRandom.alphanumeric(12)
        var body: [UInt8] = []
        for (name, value) in signed.pairs {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(fileName)\"\r\nContent-Type: text/csv\r\n\r\n".utf8)
        body += file + Array("\r\n--\(boundary)--\r\n".utf8)
        return try await client.execute(uri: "/gateway.do", method: .post, headers: [.contentType: "multipart/form-data; boundary=\(boundary)"],
                                        body: ByteBuffer(bytes: body)) { try bodyText($0) }
    }

    static func confirmRequest(_ world: TestWorld, fileName: String = "BPTB_20101220_4178.csv", email: String = TestWorld.payerLogon) throws -> String {
        let params = Parameters([("email", email), ("file_name", fileName), ("return_url", "http://merchant.test/return"),
                                 ("notify_url", "http://127.0.0.1:1/bptb")])
        return "/gateway.do?" + FormCoding.encode(try world.client().signedParameters(service: BptbService.confirmService, params), charset: .utf8)!
    }

    static func password(_ client: some TestClientProtocol, page: String, password: String = TestWorld.payerPassword) async throws -> String {
        let form = formEncode([("batch_id", inputValue("batch_id", in: page) ?? ""), ("token", inputValue("token", in: page) ?? ""),
                               ("account", TestWorld.payerLogon), ("password", password)])
        return try await client.post("/pages/bptb/confirm", form: form).1
    }

    static func refundFile(_ world: TestWorld, _ client: some TestClientProtocol, date: String, bizType: String? = "d_sale") async throws -> (String, [UInt8]) {
        var params = Parameters([("date", date)])
        if let bizType { params["biz_type"] = bizType }
        let uri = "/gateway.do?" + FormCoding.encode(try world.client().signedParameters(service: BptbService.refundFileService, params), charset: .utf8)!
        return try await client.execute(uri: uri, method: .get) { ($0.headers[.contentType] ?? "", Array($0.body.readableBytesView)) }
    }

    static func balance(_ world: TestWorld) async throws -> Int64 { try #require(try await world.gateway.store.account(userId: payer)).balance.fen }

    static func due(_ world: TestWorld) async throws -> [String: [OutboxNotification]] {
        Dictionary(grouping: try await world.gateway.store.claimDueNotifications(now: world.gateway.clock.now.addingTimeInterval(86_400), limit: 100,
                                                                                  leaseSeconds: 1), by: \.notifyType)
    }

    @Test func theWholeFlowPaysTheValidRowsBouncesTheRulesRowsAndListsExactlyThoseInTheRefundFile() async throws {
        let world = try await TestWorld.make(bank: Self.bank)
        let before = try await Self.balance(world)
        try await world.app().test(.router) { client in
            let uploaded = try await Self.upload(world, client, file: Charset.gbk.encode(Self.csv)!)
            #expect(element("success_count", in: uploaded.replacingOccurrences(of: "<success_count>", with: "<x id=\"success_count\">")) == "4")
            #expect(uploaded.contains("<fail_count>1</fail_count>") && uploaded.contains("<success_amount>10.00</success_amount>"))

            let page = try await client.get(try Self.confirmRequest(world)).1
            #expect(page.contains("文件明细校验部分未通过, 如果继续付款, 只能待校验通过的明细付款"))
            #expect(element("valid-count", in: page) == "4" && element("invalid-count", in: page) == "1")
            #expect(page.contains("收款人账号被表格软件改成了科学计数法"))
            let check = try #require(page.range(of: "/pages/bptb/check/").map { String(page[$0.lowerBound...].prefix { $0 != "\"" }) })
            let report = try await client.execute(uri: check.replacingOccurrences(of: "&amp;", with: "&"), method: .get) { Array($0.body.readableBytesView) }
            let reportText = try #require(Charset.gbk.decode(report))
            #expect(reportText.contains("20080515001,张三,1.23457E+15,1.00,收款人账号被表格软件改成了科学计数法；银行省份不能为空"))
            #expect(!reportText.contains("p001"))

            #expect(element("error-code", in: try await Self.password(client, page: page, password: "000000")) == "USER_PASS_ERROR")
            let done = try await Self.password(client, page: page)
            #expect(element("result-code", in: done) == "USER_CONFIRM_SUCC")
            #expect(done.contains("<meta http-equiv=\"refresh\" content=\"3;url=/pages/bptb/return/"), "the success page returns by itself")
            #expect(try await Self.balance(world) == before - 1_000, "the valid rows' 10.00 left for the bank")

            // The signed way back, within a minute.
            let link = try #require(done.range(of: "/pages/bptb/return/").map { String(done[$0.lowerBound...].prefix { $0 != "\"" }) })
                .replacingOccurrences(of: "&amp;", with: "&")
            let location = try await client.execute(uri: link, method: .get) { $0.headers[.location] ?? "" }
            let back = try FormCoding.decode(query: Array(location.dropFirst("http://merchant.test/return?".count).utf8), body: []).0
            #expect(back["is_success"] == "T" && back["result_code"] == "USER_CONFIRM_SUCC" && back["file_name"] == "BPTB_20101220_4178.csv")
            #expect(back["partner"] == TestWorld.partner && back["sign_type"] == "MD5")
            #expect(SignContent.isValid(back["sign"]!, for: back, charset: .utf8, verifier: MD5Signer(key: TestWorld.md5Key), content: SignContent.mapi))
            _ = try await world.gateway.advanceSandboxClock(seconds: 61)
            #expect(try await client.execute(uri: link, method: .get) { $0.headers[.location] } == nil, "the link expires after a minute")

            // Nothing is paid twice: the same request again says USER_CONFIRM_SUCC.
            #expect(element("result-code", in: try await client.get(try Self.confirmRequest(world)).1) == "USER_CONFIRM_SUCC")
            #expect(try await Self.balance(world) == before - 1_000)
            #expect(Self.failureText(try await Self.refundFile(world, client, date: world.today)) == "文件下载失败!文件下载失败!", "still with the bank")

            _ = try await world.gateway.advanceSandboxClock(seconds: 600)
            _ = try await world.gateway.bptb.sweep()
            #expect(try await Self.balance(world) == before - 1_000 + 500, "p002 and p003 (5.00) came back")
            let result = try #require(try await Self.due(world)["bptb_result_notify"]?.first)
            #expect(result.parameters["flag"] == "bptb_result_file" && result.parameters["file_name"] == "BPTB_20101220_4178.csv")
            #expect(result.parameters["pay_date"] == world.today)

            let (type, zip) = try await Self.refundFile(world, client, date: world.today)
            #expect(type == "application/octet-stream;charset=iso-8859-1")
            let files = try Self.unzip(zip)
            let partner = TestWorld.partner
            let csv = try #require(files["ALIPAY_\(world.today)_R_\(partner).csv"].flatMap { Charset.gbk.decode($0) })
            let lines = csv.split(separator: "\r\n").map(String.init)
            #expect(lines[0] == "总金额,总笔数,支付宝账户" && lines[1] == "5.00,2,\(TestWorld.payerLogon)")
            #expect(lines.count == 5 && lines[3].hasPrefix("bptb_20101220_4178,p002,王二,6222000000000002,中国工商银行,浙江省,杭州,,2.00,2,,"))
            #expect(lines[3].hasSuffix(",账号不存在") && lines[4].contains(",p003,李四,") && lines[4].hasSuffix(",账户名有误"))
            #expect(lines[4].contains("年") && lines[4].contains("日 "), "退票日期 as 表5-1 prints it")
            let xls = try #require(files["ALIPAY_\(world.today)_R_\(partner).xls"])
            #expect(Array(xls.prefix(8)) == [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
        }
        let audit = try await world.gateway.store.audit()
        #expect(audit.isBalanced, "\(audit)")
    }

    static func failureText(_ answer: (String, [UInt8])) -> String? {
        answer.0 == "text/html;charset=gb2312" ? Charset.gbk.decode(answer.1) : nil
    }

    static func unzip(_ bytes: [UInt8]) throws -> [String: [UInt8]] {
        let archive = try Archive(data: Data(bytes), accessMode: .read)
        var files: [String: [UInt8]] = [:]
        for entry in archive {
            var data = Data()
            _ = try archive.extract(entry) { data.append($0) }
            files[entry.path] = Array(data)
        }
        return files
    }
}
