import Foundation
import Testing
import ZhifuProtocol
import ZhifuSDK
import ZhifuTesting

/// What a merchant's own `swift test` does with ZhifuTesting: boot a sandbox, pay with a buyer's
/// payment code, let a buyer pay a page.pay order and a scanned QR code, move the clock.
@Suite struct ZhifuSandboxTests {
    @Test func aMerchantsTestPaysRefundsAndTimesOutAgainstTheSandbox() async throws {
        let sandbox = try await ZhifuSandbox.start()
        do {
            let buyer = try sandbox.buyer()
            let order = AlipayTrade.OrderModel(outTradeNo: "shop-1", totalAmount: Amount(fen: 880), subject: "T恤")
            let paid = try await sandbox.client.trade.pay(.init(order: order, authCode: try await buyer.paymentCode()), notifyURL: sandbox.notifyURL)
            #expect(paid.buyerUserId == buyer.person.userId.rawValue && paid.totalAmount == Amount(fen: 880))
            // What the merchant's notify_url would get: signed, TRADE_SUCCESS.
            let told = try await sandbox.waitForNotifications(1)
            #expect(told.first?["trade_status"] == "TRADE_SUCCESS" && told.first?["out_trade_no"] == "shop-1")
            #expect(told.first.map { sandbox.client.isValidNotification($0) } == true)
            let refund = try await sandbox.client.trade.refund(.init(outTradeNo: "shop-1", refundAmount: Amount(fen: 880)))
            #expect(refund.fundChange == "Y")

            // A page.pay order paid by the buyer on the cashier, without a browser.
            let url = try sandbox.client.trade.pageURL(.init(outTradeNo: "shop-2", totalAmount: Amount(fen: 100), subject: "书"))
            #expect(url.hasPrefix(sandbox.gatewayURL + "?"))
            let created = try await sandbox.client.trade.create(.init(outTradeNo: "shop-3", totalAmount: Amount(fen: 200), subject: "s"))
            try await buyer.pay(tradeNo: try #require(created.tradeNo))
            #expect(try await sandbox.client.trade.query(.init(outTradeNo: "shop-3")).tradeStatus == "TRADE_SUCCESS")

            // A precreate QR code scanned and paid.
            let qr = try await sandbox.client.trade.precreate(.init(outTradeNo: "shop-4", totalAmount: Amount(fen: 300), subject: "s"))
            try await buyer.scanAndPay(qrCode: qr.qrCode)
            #expect(try await sandbox.client.trade.query(.init(outTradeNo: "shop-4")).tradeStatus == "TRADE_SUCCESS")

            // Time moves only when the test says: an unpaid order closes at its timeout.
            var expiring = AlipayTrade.OrderModel(outTradeNo: "shop-5", totalAmount: Amount(fen: 100), subject: "s")
            expiring.timeoutExpress = "5m"
            _ = try await sandbox.client.trade.create(expiring)
            try await sandbox.advance(bySeconds: 301)
            #expect(try await sandbox.client.trade.query(.init(outTradeNo: "shop-5")).tradeStatus == "TRADE_CLOSED")
            await #expect(throws: ZhifuSandbox.SandboxError.self) { try await buyer.pay(tradeNo: "2026112322000000000000000000") }
        } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
    }

    /// The fault switches a merchant's test needs: a buyer who cannot pay, an endpoint that is down.
    @Test func faultSwitchesMakeTheRarePathsHappen() async throws {
        let sandbox = try await ZhifuSandbox.start()
        do {
            let buyer = try sandbox.buyer()
            try await buyer.setBalance(Amount(fen: 50))
            let order = AlipayTrade.OrderModel(outTradeNo: "poor-1", totalAmount: Amount(fen: 51), subject: "s")
            do {
                _ = try await sandbox.client.trade.pay(.init(order: order, authCode: try await buyer.paymentCode()))
                Issue.record("paid beyond the balance")
            } catch let error as AlipayError {
                #expect(error.subCode == "ACQ.BUYER_BALANCE_NOT_ENOUGH")
            }
            #expect(try await sandbox.gateway.store.audit().isBalanced, "the switch is a transfer: the ledger still balances")

            sandbox.setNotifyEndpointDown(true)
            var paid = AlipayTrade.OrderModel(outTradeNo: "down-1", totalAmount: Amount(fen: 50), subject: "s")
            paid.body = "exactly the balance"
            _ = try await sandbox.client.trade.pay(.init(order: paid, authCode: try await buyer.paymentCode()), notifyURL: sandbox.notifyURL)
            let deadline = ContinuousClock.now + .seconds(10)
            while sandbox.refusedNotificationCount() == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(sandbox.refusedNotificationCount() == 1 && sandbox.notifications().isEmpty)
            sandbox.setNotifyEndpointDown(false)
            try await sandbox.advance(bySeconds: 240)   // OpenAPI's first retry
            #expect(try await sandbox.waitForNotifications(1).first?["out_trade_no"] == "down-1")
        } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
    }
}
