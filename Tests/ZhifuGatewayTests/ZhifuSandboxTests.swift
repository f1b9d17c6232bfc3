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

/// ZhifuSDK's fund authorisation calls against the sandbox: freeze, pay part, unfreeze the rest.
@Suite struct ZhifuSandboxFundAuthTests {
    @Test func aMerchantFreezesPaysFromTheFreezeAndUnfreezesTheRest() async throws {
        let sandbox = try await ZhifuSandbox.start()
        do {
            let buyer = try sandbox.buyer()
            let freeze = FundAuthOrderFreezeModel(authCode: try await buyer.paymentCode(), outOrderNo: "deposit-1", outRequestNo: "deposit-1-freeze",
                                                  orderTitle: "押金", amount: Amount(fen: 5_000))
            let frozen = try await sandbox.client.fundAuth.freeze(freeze)
            #expect(frozen.status == "SUCCESS" && frozen.amount == Amount(fen: 5_000) && frozen.payerUserId == buyer.person.userId.rawValue)
            var order = AlipayTrade.OrderModel(outTradeNo: "stay-1", totalAmount: Amount(fen: 1_200), subject: "房费")
            order.productCode = "PRE_AUTH"
            order.buyerId = buyer.person.userId.rawValue
            let paid = try await sandbox.client.trade.pay(.init(order: order, extras: .init(authNo: frozen.authNo, authConfirmMode: "NOT_COMPLETE")))
            #expect(paid.totalAmount == Amount(fen: 1_200))
            let released = try await sandbox.client.fundAuth.unfreeze(.init(authNo: frozen.authNo, outRequestNo: "deposit-1-back",
                                                                             amount: Amount(fen: 3_800), remark: "退押金"))
            #expect(released.amount == Amount(fen: 3_800))
            let detail = try await sandbox.client.fundAuth.operationDetailQuery(.init(authNo: frozen.authNo, outRequestNo: "stay-1", operationType: "PAY"))
            #expect(detail.orderStatus == "FINISH" && detail.totalPayAmount == Amount(fen: 1_200) && detail.restAmount == .zero)
            do {
                _ = try await sandbox.client.fundAuth.unfreeze(.init(authNo: frozen.authNo, outRequestNo: "again", amount: Amount(fen: 1), remark: "x"))
                Issue.record("unfroze a finished order")
            } catch let error as AlipayError {
                #expect(error.subCode == "ORDER_ALREADY_FINISH")
            }
            #expect(try await sandbox.gateway.store.audit().isBalanced)
        } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
    }
}

/// ZhifuSDK's koubei calls against the sandbox: buy, pay on the cashier, send a code, query it.
@Suite struct ZhifuSandboxKoubeiTests {
    @Test func aCodeMerchantSellsAndIssuesATicketThroughTheSDK() async throws {
        let sandbox = try await ZhifuSandbox.start()
        do {
            let buyer = try sandbox.buyer()
            let bought = try await sandbox.client.koubei.itemorderBuy(.init(
                outOrderNo: "kb-sdk-1", subject: "套餐", bizScene: "DINE", shopId: "shop-1", buyerId: buyer.person.userId.rawValue,
                totalAmount: Amount(fen: 2_000), itemOrderDetails: [.init(skuId: "sku", originalPrice: Amount(fen: 2_500), price: Amount(fen: 1_000), quantity: 2)]))
            try await buyer.pay(tradeNo: bought.tradeNo)
            #expect(try await sandbox.client.koubei.itemorderQuery(orderNo: bought.orderNo).status == "SUCCESS")
            let notice = try await sandbox.gateway.koubei.sendNotice(orderNo: bought.orderNo)
            let sent = try await sandbox.client.koubei.ticketcodeSend(.init(requestId: "r1", orderNo: bought.orderNo, sendOrderNo: notice.sendOrderNo,
                                                                             sendToken: notice.sendToken, isvMaList: [.init(code: "SDK001", num: "1")]))
            #expect(sent.bizCode == nil && sent.requestId == "r1")
            let ticket = try await sandbox.client.koubei.ticketcodeQuery(ticketCode: "SDK001", shopId: "shop-1")
            #expect(ticket.ticketStatus == "EFFECTIVE" && ticket.availableQuantity == "1")
            let later = sandbox.gateway.configuration.calendar.timestamp(sandbox.gateway.clock.now.addingTimeInterval(800 * 86_400))
            #expect(try await sandbox.client.koubei.ticketcodeDelay(.init(requestId: "d1", orderNo: bought.orderNo, ticketCode: "SDK001", endDate: later)).bizCode == nil)
            #expect(try await sandbox.gateway.koubei.redeem(code: "SDK001", requestId: "use-1", quantity: 1, shopId: "shop-1") == nil)
            #expect(try await sandbox.client.koubei.ticketcodeQuery(ticketCode: "SDK001", shopId: "shop-1").ticketStatus == "USED")
            #expect(try await sandbox.client.koubei.ticketcodeCancel(.init(requestId: "c1", requestBizNo: "use-1", ticketCode: "SDK001")).bizCode == nil)
            let precreated = try await sandbox.client.koubei.orderPrecreate(.init(requestId: "p1", outOrderNo: "table-1", shopId: "shop-1"))
            #expect(precreated.qrCode.hasSuffix("/koubei/order/" + precreated.orderNo))
            let refund = try await sandbox.client.koubei.itemorderRefund(.init(orderNo: bought.orderNo, outRequestNo: "rf",
                                                                               refundInfos: [.init(itemOrderNo: bought.orderNo + "01", amount: Amount(fen: 2_000))]))
            #expect(refund.realRefundAmount == Amount(fen: 2_000))
            #expect(try await sandbox.client.koubei.ticketcodeQuery(ticketCode: "SDK001", shopId: "shop-1").ticketStatus == "REFUNDED")
            #expect(try await sandbox.gateway.store.audit().isBalanced)
        } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
    }
}
