import Foundation
import Testing
import ZhifuCore
import ZhifuProtocol
import ZhifuSDK
import ZhifuTesting

/// ZhifuSDK's batch-pay-to-bank calls against a sandbox: upload, the payer's review, the typed
/// notification and return, the refund file read into tickets, and refusals as typed errors.
@Suite struct PayoutSDKTests {
    static let csv = """
        商户流水号,收款人姓名,收款人账号,银行省份,银行城市,银行名称,银行支行,付款金额,对公对私标志,备注
        s001,王一,6222000000000001,浙江省,杭州,中国工商银行,西湖支行,1.50,2,工资
        s002,王二,6222000000000002,浙江省,杭州,中国工商银行,,2.50,2,"备注,带逗号"
        s003,张三,1.23457E+15,,阜阳,中国农业银行,,1.00,2,
        """

    @Test func aMerchantPaysAFileOutAndReadsItsRefundTicketsThroughTheSDK() async throws {
        let sandbox = try await ZhifuSandbox.start(bank: BankSimulator(clearingDelay: 300, rules: [.init(.accountNo("6222000000000002"), reason: "账号不存在")]))
        do {
            try await payOut(sandbox)
        } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
    }

    func payOut(_ sandbox: ZhifuSandbox) async throws {
        let client = sandbox.mapiClient, verifier = sandbox.notificationVerifier
        let receipt = try await client.uploadPayoutFile(named: "payout-1.csv", contents: try #require(Charset.gbk.encode(Self.csv)))
        #expect(receipt == .init(fileName: "payout-1.csv", totalCount: 3, successCount: 2, failCount: 1, successAmount: Amount(fen: 400)))
        await #expect(throws: MAPIClient.ServiceError(code: "ILLEGAL_FILE_FORMAT")) {
            try await client.uploadPayoutFile(named: "payout.xls", contents: Array(Self.csv.utf8))
        }

        let review = try client.payoutReviewURL(email: sandbox.demo.merchant.logonId, fileName: "payout-1.csv",
                                                returnURL: "http://shop.test/payout/return", notifyURL: sandbox.notifyURL)
        await #expect(throws: ZhifuSandbox.SandboxError.paymentRefused("USER_PASS_ERROR")) { try await sandbox.confirmPayoutFile(reviewURL: review, password: "000000") }
        let back = try await sandbox.confirmPayoutFile(reviewURL: review)
        let confirmed = try verifier.verifyPayoutReturn(back)
        #expect(confirmed.isSuccess && confirmed.resultCode == "USER_CONFIRM_SUCC" && confirmed.fileName == "payout-1.csv")
        var tampered = back
        tampered["file_name"] = "payout-2.csv"
        #expect(throws: NotificationVerifier.Failure.badSignature) { try verifier.verifyPayoutReturn(tampered) }
        let again = try verifier.verifyPayoutReturn(try await sandbox.confirmPayoutFile(reviewURL: review))
        #expect(again.isSuccess && again.resultCode == "USER_CONFIRM_SUCC", "a confirmed file says so again and pays nothing twice")
        let missing = try client.payoutReviewURL(email: sandbox.demo.merchant.logonId, fileName: "none.csv", returnURL: "http://shop.test/payout/return")
        let refused = try verifier.verifyPayoutReturn(try await sandbox.confirmPayoutFile(reviewURL: missing))
        #expect(!refused.isSuccess && refused.resultCode == "FILE_NOT_EXIST")

        try await sandbox.advance(bySeconds: 300)
        let told = try await sandbox.waitForNotifications(1)
        guard case .payoutFile(let done) = try verifier.verify(try #require(told.first)) else { Issue.record("not a payout notification"); return }
        #expect(done.kind == .result && done.flag == "bptb_result_file" && done.fileName == "payout-1.csv")

        let file = try await client.refundFile(date: done.payDate)
        #expect(file.entries.sorted() == ["ALIPAY_\(done.payDate)_R_\(client.partner).csv", "ALIPAY_\(done.payDate)_R_\(client.partner).xls"])
        #expect(file.total == Amount(fen: 250) && file.count == 1 && file.account == sandbox.demo.merchant.logonId)
        let ticket = try #require(file.tickets.first)
        #expect(ticket.serialNo == "s002" && ticket.batchName == "payout-1" && ticket.reason == "账号不存在" && ticket.memo == "备注,带逗号")
        #expect(ticket.amount == Amount(fen: 250) && !ticket.withdrawNo.isEmpty)
        await #expect(throws: MAPIClient.ServiceError(code: "文件下载失败!非法请求参数。")) { try await client.refundFile(date: "2026") }
        #expect(try await sandbox.gateway.store.audit().isBalanced)
    }
}
