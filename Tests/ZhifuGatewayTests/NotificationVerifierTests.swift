import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol
import ZhifuSDK
import ZhifuTesting

/// What a merchant's notify endpoint does with ZhifuSDK: raw body in, verified typed notification
/// (or the precise reason it is not one) out.
@Suite struct NotificationVerifierTests {
    @Test func aBatchTransNotificationVerifiesIntoItsRecordsAndNotifyVerifyConfirmsIt() async throws {
        let world = try await TestWorld.make()
        let sink = NotifySink(script: [(.internalServerError, "busy")])   // not acknowledged: notify_verify still says true
        let verifier = NotificationVerifier(alipayPublicKey: world.gateway.privateKey.publicKey, md5Key: TestWorld.md5Key)
        try await sink.app().test(.live) { sinkClient in
            try await NotifierTests().payBatch(world, notifyURL: "http://127.0.0.1:\(try #require(sinkClient.port))/notify")
            _ = try await Notifier(gateway: world.gateway).deliverDue(testHTTPClient)
            let received = try #require(sink.received.withLock { $0.first })
            let body = Array(received.body.utf8)
            guard case .batchTrans(let notification) = try verifier.verify(body: body, contentType: received.contentType) else {
                Issue.record("not a batch_trans_notify"); return
            }
            #expect(notification.batchNo == "20080107001" && notification.payUserId == TestWorld.partner && notification.payUserName == "毛毛")
            #expect(notification.successDetails.map(\.payeeName) == ["常炜买家二"] && notification.successDetails[0].amount == Amount(fen: 2_000))
            #expect(notification.failDetails.map(\.reason) == ["RECEIVE_USER_NOT_EXIST"])

            let tampered = Array(received.body.replacingOccurrences(of: "20080107001", with: "20080107002").utf8)
            #expect(throws: NotificationVerifier.Failure.badSignature) { try verifier.verify(body: tampered, contentType: received.contentType) }
            let withoutKey = NotificationVerifier(alipayPublicKey: world.gateway.privateKey.publicKey)
            #expect(throws: NotificationVerifier.Failure.signTypeNotAccepted("MD5")) { try withoutKey.verify(body: body, contentType: received.contentType) }
            #expect(throws: NotificationVerifier.Failure.self) { try verifier.verify(body: Array("a=%zz".utf8)) }

            try await world.app().test(.live) { gatewayClient in
                let client = MAPIClient(gatewayURL: "http://127.0.0.1:\(try #require(gatewayClient.port))/gateway.do", partner: TestWorld.partner,
                                        signer: MD5Signer(key: TestWorld.md5Key))
                #expect(try await client.notifyVerify(notifyId: notification.notifyId, transport: HTTPClientTransport(httpClient: testHTTPClient)))
                #expect(try await client.notifyVerify(notifyId: String(repeating: "0", count: 32), transport: HTTPClientTransport(httpClient: testHTTPClient)) == false)
            }
        }
    }

    @Test func aTradeStatusSyncVerifiesIntoItsFieldsAndRefusesWhatIsNotAlipays() async throws {
        let sandbox = try await ZhifuSandbox.start()
        do {
            var order = AlipayTrade.OrderModel(outTradeNo: "verify-1", totalAmount: Amount(fen: 1_250), subject: "咖啡")
            order.passbackParams = "cart%3D7"
            _ = try await sandbox.client.trade.pay(.init(order: order, authCode: try await sandbox.buyer().paymentCode()), notifyURL: sandbox.notifyURL)
            let parameters = try #require(try await sandbox.waitForNotifications(1).first)
            let verifier = NotificationVerifier(alipayPublicKey: sandbox.gateway.privateKey.publicKey)
            let body = Array(try #require(FormCoding.encode(parameters, charset: .utf8)).utf8)
            guard case .tradeStatusSync(let paid) = try verifier.verify(body: body, contentType: "application/x-www-form-urlencoded; charset=utf-8") else {
                Issue.record("not a trade_status_sync"); await sandbox.stop(); return
            }
            #expect(paid.tradeStatus == "TRADE_SUCCESS" && paid.outTradeNo == "verify-1" && paid.totalAmount == Amount(fen: 1_250))
            #expect(paid.passbackParams == "cart%3D7" && paid.appId == sandbox.demo.appId && paid.gmtPayment != nil)

            var tampered = parameters
            tampered["total_amount"] = "0.01"
            #expect(throws: NotificationVerifier.Failure.badSignature) { try verifier.verify(tampered) }
            var md5 = parameters
            md5["sign_type"] = "MD5"
            #expect(throws: NotificationVerifier.Failure.signTypeNotAccepted("MD5")) { try verifier.verify(md5) }
            var unsigned = parameters
            unsigned["sign"] = nil
            #expect(throws: NotificationVerifier.Failure.missing("sign")) { try verifier.verify(unsigned) }
            var other = parameters
            other["notify_type"] = "something_else"
            #expect(throws: NotificationVerifier.Failure.unknownNotifyType("something_else")) { try verifier.verify(other) }
        } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
    }
}
