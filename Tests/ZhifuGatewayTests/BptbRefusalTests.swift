import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol
import ZhifuSDK

/// Every refusal of the three bptb services, a short balance, and confirmations racing.
@Suite struct BptbRefusalTests {
    typealias T = BptbTests
    static let oneRow = "\(T.header)\nq001,王一,6222000000000001,浙江省,杭州,中国工商银行,,6.00,2,\n"
    static let allInvalid = "\(T.header)\nq001,王一,1.23457E+15,,杭州,中国工商银行,,6.00,2,\n"

    /// The result page's code and the signed return it links to.
    func result(_ page: String) throws -> (code: String?, back: Parameters) {
        let link = try #require(page.range(of: "http://merchant.test/return?").map { String(page[$0.upperBound...].prefix { $0 != "\"" }) })
        let back = try FormCoding.decode(query: Array(link.replacingOccurrences(of: "&amp;", with: "&").utf8), body: []).0
        #expect(SignContent.isValid(back["sign"] ?? "", for: back, charset: .utf8, verifier: MD5Signer(key: TestWorld.md5Key), content: SignContent.mapi))
        return (element("result-code", in: page), back)
    }

    @Test func userConfirmAnswersEachOfSeed002sCodesThroughTheSignedReturn() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            _ = try await T.upload(world, client, fileName: "one.csv", file: Array(Self.oneRow.utf8))
            _ = try await T.upload(world, client, fileName: "bad.csv", file: Array(Self.allInvalid.utf8))
            _ = try await T.upload(world, client, fileName: "empty.csv", file: Array("\(T.header)\n".utf8))
            // A blocked account that is not the partner's says only that it is not the payer.
            for (fileName, email, code) in [("one.csv", "nobody@zhifu.test", "USER_NOT_EXIST"), ("one.csv", "blocked@zhifu.test", "ACCOUNT_NOT_CONSISTENT"),
                                            ("one.csv", "payee2@zhifu.test", "ACCOUNT_NOT_CONSISTENT"), ("none.csv", TestWorld.payerLogon, "FILE_NOT_EXIST"),
                                            ("empty.csv", TestWorld.payerLogon, "QUERY_RESULT_IS_NULL"), ("bad.csv", TestWorld.payerLogon, "DETAIL_VALIDATED_FAIL")] {
                let page = try await client.get(try T.confirmRequest(world, fileName: fileName, email: email)).1
                let (shown, back) = try result(page)
                #expect(shown == code && back["result_code"] == code && back["is_success"] == "F" && back["file_name"] == fileName, "\(fileName) \(email)")
            }
            // Five wrong passwords block the payer: USER_BLOCK_STATUS, nothing paid.
            let page = try await client.get(try T.confirmRequest(world, fileName: "one.csv")).1
            for _ in 0..<4 { #expect(element("error-code", in: try await T.password(client, page: page, password: "000000")) == "USER_PASS_ERROR") }
            let blocked = try await T.password(client, page: page, password: "000000")
            #expect(try result(blocked).code == "USER_BLOCK_STATUS")
            #expect(try await world.gateway.bptb.file(partner: T.payer, fileName: "one.csv")?.status == .uploaded)
            // The blocked payer's next request is refused before any page.
            let again = try await client.get(try T.confirmRequest(world, fileName: "one.csv")).1
            #expect(try result(again).code == "USER_BLOCK_STATUS")
            // A missing return_url is refused before anything else.
            let noReturn = try world.client().signedParameters(service: BptbService.confirmService, Parameters([("email", TestWorld.payerLogon), ("file_name", "one.csv")]))
            #expect(element("error-code", in: try await client.get("/gateway.do?" + FormCoding.encode(noReturn, charset: .utf8)!).1) == "ILLEGAL_ARGUMENT")
        }
        #expect(try await world.gateway.store.audit().isBalanced)
    }

    @Test func uploadsAreRefusedWithTheDocumentedCodes() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let file = Array(Self.oneRow.utf8)
            func error(_ xml: String) -> String? { xml.range(of: "<error>").map { String(xml[$0.upperBound...].prefix { $0 != "<" }) } }
            #expect(error(try await T.upload(world, client, fileName: "a.csv", file: file) { $0["file_digest"] = String(repeating: "0", count: 32) }) == "ILLEGAL_DIGEST")
            #expect(error(try await T.upload(world, client, fileName: "a.csv", file: file) { $0["digest_type"] = "CRC32" }) == "ILLEGAL_DIGEST_TYPE")
            #expect(error(try await T.upload(world, client, fileName: "a.xls", file: file)) == "ILLEGAL_FILE_FORMAT", "no Excel reader: CSV only")
            #expect(error(try await T.upload(world, client, fileName: "a.csv", file: Array("商户流水号,姓名\n1,2\n".utf8))) == "ILLEGAL_FILE_FORMAT")
            #expect(error(try await T.upload(world, client, fileName: "a.csv", file: [0xFF, 0xFF, 0xFF])) == "ILLEGAL_ENCODING")
            #expect(error(try await T.upload(world, client, fileName: "../a.csv", file: file)) == "ILLEGAL_ARGUMENT")

            let first = try await T.upload(world, client, fileName: "a.csv", file: file)
            #expect(first.contains("<success_count>1</success_count>"))
            #expect(try await T.upload(world, client, fileName: "a.csv", file: file) == first, "the same file again is the same file")
            #expect(error(try await T.upload(world, client, fileName: "a.csv", file: Array(Self.allInvalid.utf8))) == "ILLEGAL_ARGUMENT")
            let gbk = try #require(Charset.gbk.encode(Self.oneRow))
            #expect(try await T.upload(world, client, fileName: "gbk.csv", file: gbk).contains("<success_count>1</success_count>"), "GBK files too")
            let stored = try #require(try await world.gateway.bptb.file(partner: T.payer, fileName: "gbk.csv"))
            #expect(stored.rows.first?.payeeName == "王一" && stored.rows.first?.bankName == "中国工商银行")
        }
    }

    @Test func theRefundFileRefusesWithSeed003sMessages() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            #expect(T.failureText(try await T.refundFile(world, client, date: "2026-12-01")) == "文件下载失败!非法请求参数。")
            #expect(T.failureText(try await T.refundFile(world, client, date: "20261341")) == "文件下载失败!非法请求参数。")
            #expect(T.failureText(try await T.refundFile(world, client, date: world.today)) == "文件下载失败!文件下载失败!", "no batch that day")
            #expect(T.failureText(try await T.refundFile(world, client, date: world.today, bizType: "other")) == "BIZ_PRODUCT_ILLEGAL")
            let tampered = try await client.execute(uri: "/gateway.do?service=bptb_refund_file&partner=\(TestWorld.partner)&date=\(world.today)&sign_type=MD5&sign=00",
                                                    method: .get) { ($0.headers[.contentType] ?? "", Array($0.body.readableBytesView)) }
            #expect(T.failureText(tampered) == "ILLEGAL_SIGN")
        }
    }

    @Test func aShortBalanceWaitsSaysSoOnceAndProceedsAfterADeposit() async throws {
        let world = try await TestWorld.make(payerBalance: "5.00")
        let before = try await T.balance(world)
        try await world.app().test(.router) { client in
            let file = Self.oneRow.replacingOccurrences(of: ",6.00,", with: ",\(Amount(fen: before + 100)),")
            _ = try await T.upload(world, client, fileName: "one.csv", file: Array(file.utf8))
            let page = try await client.get(try T.confirmRequest(world, fileName: "one.csv")).1
            #expect(element("result-code", in: try await T.password(client, page: page)) == "USER_CONFIRM_SUCC")
            _ = try await world.gateway.bptb.sweep()
            #expect(try await world.gateway.bptb.file(partner: T.payer, fileName: "one.csv")?.status == .waitingFunds)
            let short = try await T.due(world)
            #expect(short["bptb_unfreeze_notify"]?.count == 1, "said once, not at every sweep")
            #expect(short["bptb_unfreeze_notify"]?.first?.parameters["flag"] == "bptb_unfreeze_file")
            #expect(try await T.balance(world) == before, "nothing moved")

            _ = try await world.gateway.accounts.move(userId: T.payer, amount: Amount(fen: 150), withdraw: false, at: world.gateway.clock.now)
            _ = try await world.gateway.bptb.sweep()
            #expect(try await world.gateway.bptb.file(partner: T.payer, fileName: "one.csv")?.status == .clearing)
            #expect(try await T.balance(world) == 50)
            _ = try await world.gateway.advanceSandboxClock(seconds: BankSimulator().clearingDelay)
            _ = try await world.gateway.bptb.sweep()
            #expect(try await world.gateway.bptb.file(partner: T.payer, fileName: "one.csv")?.rows.first?.status == .paid)
        }
        #expect(try await world.gateway.store.audit().isBalanced)
    }

    @Test(arguments: WorldStore.available)
    func aFileWhoseRowDoesNotDecodeFailsLoudlyAndDoesNotHoldUpTheOthers(store: WorldStore) async throws {
        let world = try await TestWorld.make(store: store, onDisk: true)
        try await world.app().test(.router) { client in
            for name in ["a.csv", "b.csv"] {
                _ = try await T.upload(world, client, fileName: name, file: Array(Self.oneRow.utf8))
                let page = try await client.get(try T.confirmRequest(world, fileName: name)).1
                #expect(element("result-code", in: try await T.password(client, page: page)) == "USER_CONFIRM_SUCC")
            }
        }
        // The file the sweep meets first (ids in order) is the broken one.
        let files = [try #require(try await world.gateway.bptb.file(partner: T.payer, fileName: "a.csv")),
                     try #require(try await world.gateway.bptb.file(partner: T.payer, fileName: "b.csv"))].sorted { $0.id < $1.id }
        try await world.tamper("UPDATE bptb_rows SET status = 'INVALID', failure = NULL WHERE file_id = '\(files[0].id)'")
        _ = try await world.gateway.advanceSandboxClock(seconds: BankSimulator().clearingDelay)
        await #expect(throws: StoreError.self) { try await world.gateway.bptb.sweep() }
        #expect(try await world.gateway.bptb.file(partner: T.payer, fileName: files[1].fileName)?.status == .completed, "the other file was settled")
        #expect(try await world.gateway.store.audit().isBalanced)
    }

    @Test(arguments: WorldStore.available)
    func confirmationsAndSweepsRacingPayAFileOnce(store: WorldStore) async throws {
        let world = try await TestWorld.make(store: store, bank: BankSimulator(clearingDelay: 60, rules: [.init(.payeeName("王一"), reason: "账户已冻结")]))
        let before = try await T.balance(world)
        try await world.app().test(.router) { client in
            _ = try await T.upload(world, client, fileName: "one.csv", file: Array(Self.oneRow.utf8))
            let page = try await client.get(try T.confirmRequest(world, fileName: "one.csv")).1
            let codes = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<6 { group.addTask { element("result-code", in: try await T.password(client, page: page)) } }
                return try await group.reduce(into: [String?]()) { $0.append($1) }
            }
            #expect(codes.allSatisfy { $0 == "USER_CONFIRM_SUCC" }, "\(codes)")
            #expect(try await T.balance(world) == before - 600, "6.00 left once")
            _ = try await world.gateway.advanceSandboxClock(seconds: 60)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 { group.addTask { _ = try await world.gateway.bptb.sweep() } }
                try await group.waitForAll()
            }
            #expect(try await T.balance(world) == before, "the bounced 6.00 came back once")
            #expect(try await T.due(world)["bptb_result_notify"]?.count == 1)
        }
        #expect(try await world.gateway.store.audit().isBalanced)
    }
}
