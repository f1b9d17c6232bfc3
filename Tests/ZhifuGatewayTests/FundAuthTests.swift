import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol

/// Fund authorisation (预授权): freeze by payment code, pay from it (PRE_AUTH, NOT_COMPLETE and
/// COMPLETE), unfreeze, detail.query, their sub_codes and idempotency, on SQLite and PostgreSQL.
@Suite struct FundAuthTests {
    let api = OpenAPITests()
    static let buyer = UserId(TestWorld.buyer)!
    static let seller = UserId(TestWorld.partner)!

    typealias Answer = (key: String, object: [String: String], sign: String?, raw: String)

    func account(_ world: TestWorld, _ id: UserId) async throws -> Account {
        try #require(try await world.gateway.store.account(userId: id))
    }

    func freeze(_ client: some TestClientProtocol, _ world: TestWorld, outOrderNo: String = "auth-1", outRequestNo: String = "auth-req-1",
                amount: String = "100.00", code: String? = nil, extra: String = "", notifyURL: String? = nil) async throws -> Answer {
        let code = if let code { code } else { try await world.gateway.trades.issuePaymentCode(buyer: Self.buyer).code }
        let biz = #"{"auth_code":"\#(code)","auth_code_type":"bar_code","out_order_no":"\#(outOrderNo)","out_request_no":"\#(outRequestNo)","order_title":"押金","amount":"\#(amount)","product_code":"PRE_AUTH"\#(extra)}"#
        return try await api.call(client, try api.request(world, method: "alipay.fund.auth.order.freeze", biz: biz,
                                                          overrides: notifyURL.map { [("notify_url", $0)] } ?? []))
    }

    func pay(_ client: some TestClientProtocol, _ world: TestWorld, authNo: String, outTradeNo: String, amount: String, mode: String? = nil,
             buyer: String = TestWorld.buyer, productCode: String = "PRE_AUTH") async throws -> Answer {
        let modeField = mode.map { #","auth_confirm_mode":"\#($0)""# } ?? ""
        let biz = #"{"out_trade_no":"\#(outTradeNo)","product_code":"\#(productCode)","auth_no":"\#(authNo)","buyer_id":"\#(buyer)","subject":"房费","total_amount":"\#(amount)"\#(modeField)}"#
        return try await api.call(client, try api.request(world, method: "alipay.trade.pay", biz: biz))
    }

    func unfreeze(_ client: some TestClientProtocol, _ world: TestWorld, authNo: String, outRequestNo: String, amount: String) async throws -> Answer {
        let biz = #"{"auth_no":"\#(authNo)","out_request_no":"\#(outRequestNo)","amount":"\#(amount)","remark":"退押金"}"#
        return try await api.call(client, try api.request(world, method: "alipay.fund.auth.order.unfreeze", biz: biz))
    }

    func query(_ client: some TestClientProtocol, _ world: TestWorld, _ fields: String) async throws -> Answer {
        try await api.call(client, try api.request(world, method: "alipay.fund.auth.operation.detail.query", biz: "{\(fields)}"))
    }

    @Test(arguments: WorldStore.available)
    func freezePayPartPayMoreAndUnfreezeTheRest(store: WorldStore) async throws {
        let world = try await TestWorld.make(store: store)
        let buyerBefore = try await account(world, Self.buyer).balance, sellerBefore = try await account(world, Self.seller).balance
        try await world.app().test(.router) { client in
            let frozen = try await freeze(client, world, notifyURL: "http://127.0.0.1:1/auth-notify")
            #expect(frozen.key == "alipay_fund_auth_order_freeze_response" && frozen.object["code"] == "10000" && frozen.sign != nil)
            #expect(frozen.object["status"] == "SUCCESS" && frozen.object["amount"] == "100.00" && frozen.object["payer_user_id"] == TestWorld.buyer)
            #expect(frozen.object["payer_logon_id"] == "159****5620" && frozen.object["auth_no"]?.count == 28 && frozen.object["operation_id"]?.count == 20)
            let authNo = try #require(frozen.object["auth_no"])
            #expect(try await account(world, Self.buyer).frozen == Amount(fen: 10_000))
            #expect(try await account(world, Self.buyer).balance == buyerBefore, "a freeze holds the money in the buyer's account")

            let first = try await pay(client, world, authNo: authNo, outTradeNo: "room-1", amount: "30.00")
            #expect(first.object["code"] == "10000" && first.object["total_amount"] == "30.00" && first.object["buyer_user_id"] == TestWorld.buyer)
            let second = try await pay(client, world, authNo: authNo, outTradeNo: "room-2", amount: "20.00", mode: "NOT_COMPLETE")
            #expect(second.object["code"] == "10000")
            let paidQuery = try await query(client, world, #""auth_no":"\#(authNo)","out_request_no":"room-2","operation_type":"PAY""#)
            #expect(paidQuery.object["operation_type"] == "PAY" && paidQuery.object["amount"] == "20.00" && paidQuery.object["order_status"] == "AUTHORIZED")
            #expect(paidQuery.object["rest_amount"] == "50.00" && paidQuery.object["total_pay_amount"] == "50.00" && paidQuery.object["total_freeze_amount"] == "100.00")

            let released = try await unfreeze(client, world, authNo: authNo, outRequestNo: "unfreeze-1", amount: "50.00")
            #expect(released.key == "alipay_fund_auth_order_unfreeze_response" && released.object["code"] == "10000")
            #expect(released.object["amount"] == "50.00" && released.object["status"] == "SUCCESS")
            let done = try await query(client, world, #""out_order_no":"auth-1","out_request_no":"unfreeze-1""#)
            #expect(done.object["order_status"] == "FINISH" && done.object["operation_type"] == "UNFREEZE" && done.object["rest_amount"] == "0.00")
            #expect(done.object["remark"] == "退押金")
            let freezeQuery = try await query(client, world, #""out_order_no":"auth-1","out_request_no":"auth-req-1""#)
            #expect(freezeQuery.object["operation_type"] == "FREEZE" && freezeQuery.object["amount"] == "100.00")

            let again = try await unfreeze(client, world, authNo: authNo, outRequestNo: "unfreeze-2", amount: "1.00")
            #expect(again.object["code"] == "40004" && again.object["sub_code"] == "ORDER_ALREADY_FINISH" && again.object["msg"] == "Business Failed")
            let late = try await pay(client, world, authNo: authNo, outTradeNo: "room-3", amount: "1.00")
            #expect(late.object["sub_code"] == "ACQ.AUTH_ORDER_HAS_FINISHED")
        }
        let buyer = try await account(world, Self.buyer)
        #expect(buyer.balance == Amount(fen: buyerBefore.fen - 5_000) && buyer.frozen == .zero)
        #expect(try await account(world, Self.seller).balance == Amount(fen: sellerBefore.fen + 5_000))
        let due = try await world.gateway.store.claimDueNotifications(now: world.gateway.clock.now, limit: 50, leaseSeconds: 60)
        #expect(Set(due.map(\.notifyType)) == ["fund_auth_freeze", "fund_auth_unfreeze"])
        let unfreezeNote = try #require(due.first { $0.notifyType == "fund_auth_unfreeze" })
        #expect(unfreezeNote.parameters["total_unfreeze_amount"] == "50.00" && unfreezeNote.parameters["rest_amount"] == "0.00")
        #expect(unfreezeNote.parameters["total_pay_amount"] == "50.00" && unfreezeNote.parameters["operation_type"] == "UNFREEZE")
        #expect(try await world.gateway.store.audit().isBalanced)
    }

    @Test func payingCompleteUnfreezesTheRestAndClosesTheOrderToMore() async throws {
        let world = try await TestWorld.make()
        let buyerBefore = try await account(world, Self.buyer).balance
        try await world.app().test(.router) { client in
            let authNo = try #require(try await freeze(client, world, amount: "80.00").object["auth_no"])
            let paid = try await pay(client, world, authNo: authNo, outTradeNo: "checkout", amount: "35.50", mode: "COMPLETE")
            #expect(paid.object["code"] == "10000")
            let order = try await query(client, world, #""auth_no":"\#(authNo)","out_request_no":"checkout""#)
            #expect(order.object["order_status"] == "FINISH" && order.object["rest_amount"] == "0.00" && order.object["total_pay_amount"] == "35.50")
            #expect(try await unfreeze(client, world, authNo: authNo, outRequestNo: "u", amount: "1.00").object["sub_code"] == "ORDER_ALREADY_FINISH")
        }
        let buyer = try await account(world, Self.buyer)
        #expect(buyer.balance == Amount(fen: buyerBefore.fen - 3_550) && buyer.frozen == .zero)
        #expect(try await world.gateway.store.audit().isBalanced)
    }

    @Test func frozenMoneyCannotBeSpentElsewhereNorPayAnotherMerchant() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            // 500.00 in the account, 450.00 of it frozen: 50.00 is what a payment code can still spend.
            let authNo = try #require(try await freeze(client, world, amount: "450.00").object["auth_no"])
            let code = try await world.gateway.trades.issuePaymentCode(buyer: Self.buyer)
            let spend = try await api.call(client, try api.request(world, method: "alipay.trade.pay", biz: TradeTests().payBiz("spend", code: code.code, amount: "60.00")))
            #expect(spend.object["sub_code"] == "ACQ.BUYER_BALANCE_NOT_ENOUGH")
            let second = try await freeze(client, world, outOrderNo: "auth-2", outRequestNo: "auth-req-2", amount: "60.00")
            #expect(second.object["sub_code"] == "MONEY_NOT_ENOUGH")
            // The hold names its payee: a posting to anyone else is refused by the ledger itself.
            let order = try #require(try await world.gateway.store.fundAuthOrder(authNo: authNo))
            let other = UserId("2088103000000001")!
            var trade = Trade(tradeNo: "2026112222001499999999", partner: Self.seller, buyer: Self.buyer, outTradeNo: "elsewhere", amount: Amount(fen: 100),
                              status: .tradeSuccess, createdAt: world.gateway.clock.now, subject: "x", fingerprint: "x", expiresAt: nil, details: TradeDetails())
            trade.version = 0
            let transfer = Transfer(id: "pay-elsewhere", debit: Self.buyer, credit: other, amount: Amount(fen: 100), code: .tradePay, reference: trade.tradeNo,
                                    createdAt: world.gateway.clock.now)
            let operation = FundAuthOperation(operationId: "20261122000000000001", authNo: authNo, outRequestNo: "elsewhere", kind: .pay,
                                              amount: Amount(fen: 100), remark: nil, createdAt: world.gateway.clock.now)
            let change = try await world.gateway.store.updateTrade(TradeUpdate(trade: trade, transfers: [transfer], isNew: true,
                                                                               authPayment: FundAuthPayment(operation: operation, voidRest: false)))
            #expect(change == .holdRefused(.accountsMismatch))
            #expect(try await world.gateway.store.fundAuthOrder(authNo: authNo)?.hold == order.hold)
        }
        #expect(try await world.gateway.store.audit().isBalanced)
    }

    @Test(arguments: WorldStore.available)
    func concurrentPaymentsAndUnfreezesNeverTakeMoreThanTheFreeze(store: WorldStore) async throws {
        let world = try await TestWorld.make(store: store)
        let buyerBefore = try await account(world, Self.buyer).balance
        let answers = try await world.app().test(.router) { client in
            let authNo = try #require(try await freeze(client, world, amount: "100.00").object["auth_no"])
            return try await withThrowingTaskGroup(of: (String, String).self) { group in
                for index in 0..<16 {
                    group.addTask {
                        let answer = index % 4 == 3
                            ? try await unfreeze(client, world, authNo: authNo, outRequestNo: "u-\(index)", amount: "10.00")
                            : try await pay(client, world, authNo: authNo, outTradeNo: "t-\(index)", amount: "10.00")
                        return (answer.key, answer.object["sub_code"] ?? answer.object["code"]!)
                    }
                }
                return try await group.reduce(into: [(String, String)]()) { $0.append($1) }
            }
        }
        let succeeded = answers.filter { $0.1 == "10000" }
        #expect(succeeded.count == 10, "\(answers)")
        #expect(answers.allSatisfy { ["10000", "ACQ.AUTH_AMOUNT_NOT_ENOUGH", "ACQ.AUTH_ORDER_HAS_FINISHED", "ACQ.AUTH_ORDER_HAS_CLOSED",
                                      "REQUEST_AMOUNT_EXCEED", "ORDER_ALREADY_FINISH", "ORDER_ALREADY_CLOSED"].contains($0.1) }, "\(answers)")
        let paid = succeeded.filter { $0.0 == "alipay_trade_pay_response" }.count
        let buyer = try await account(world, Self.buyer)
        #expect(buyer.balance == Amount(fen: buyerBefore.fen - Int64(paid) * 1_000) && buyer.frozen == .zero)
        #expect(try await world.gateway.store.audit().isBalanced)
    }

    @Test func theSameFreezeTwiceHoldsOnceAndOtherContentIsRefused() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let first = try await freeze(client, world)
            let again = try await freeze(client, world)
            #expect(again.object["code"] == "10000" && again.object["auth_no"] == first.object["auth_no"] && again.object["operation_id"] == first.object["operation_id"])
            #expect(try await freeze(client, world, amount: "99.00").object["sub_code"] == "UNIQUE_VIOLATION")
            #expect(try await freeze(client, world, outRequestNo: "auth-req-other").object["sub_code"] == "FREEZE_ALREADY_SUCCESS")
            let authNo = try #require(first.object["auth_no"])
            let once = try await unfreeze(client, world, authNo: authNo, outRequestNo: "u-1", amount: "10.00")
            let twice = try await unfreeze(client, world, authNo: authNo, outRequestNo: "u-1", amount: "10.00")
            #expect(once.object["code"] == "10000" && twice.object["operation_id"] == once.object["operation_id"])
            #expect(try await unfreeze(client, world, authNo: authNo, outRequestNo: "u-1", amount: "11.00").object["sub_code"] == "UNIQUE_VIOLATION")
        }
        #expect(try await account(world, Self.buyer).frozen == Amount(fen: 9_000))
        #expect(try await world.gateway.store.audit().isBalanced)
    }

    @Test func refusalsCarryTheDocumentedSubCodesAndMoveNothing() async throws {
        let world = try await TestWorld.make()
        let before = try await account(world, Self.buyer)
        try await world.app().test(.router) { client in
            #expect(try await freeze(client, world, amount: "600.00").object["sub_code"] == "MONEY_NOT_ENOUGH")
            #expect(try await freeze(client, world, code: "281234567890123456").object["sub_code"] == "PAYMENT_AUTH_CODE_INVALID")
            #expect(try await freeze(client, world, extra: #","payee_user_id":"2088999999999999""#).object["sub_code"] == "PAYEE_NOT_EXIST")
            #expect(try await freeze(client, world, extra: #","payee_user_id":"2088103000000001""#).object["sub_code"] == "ILLEGAL_ARGUMENT")
            #expect(try await freeze(client, world, amount: "0.00").object["sub_code"] == "ILLEGAL_ARGUMENT")
            #expect(try await freeze(client, world, extra: #","pay_timeout":"16d""#).object["sub_code"] == "ILLEGAL_ARGUMENT")
            #expect(try await freeze(client, world, extra: #","trans_currency":"USD""#).object["sub_code"] == "ILLEGAL_ARGUMENT")
            let sellerCode = try await world.gateway.trades.issuePaymentCode(buyer: Self.seller).code
            #expect(try await freeze(client, world, code: sellerCode).object["sub_code"] == "PAYER_PAYEE_EQUAL")
            let missing = try await api.call(client, try api.request(world, method: "alipay.fund.auth.order.freeze", biz: #"{"auth_code":"28","out_order_no":"a"}"#))
            #expect(missing.object["sub_code"] == "ILLEGAL_ARGUMENT")

            #expect(try await unfreeze(client, world, authNo: "2026112220010000000000000000", outRequestNo: "u", amount: "1.00").object["sub_code"] == "AUTH_ORDER_NOT_EXIST")
            let authNo = try #require(try await freeze(client, world, amount: "50.00").object["auth_no"])
            #expect(try await unfreeze(client, world, authNo: authNo, outRequestNo: "u", amount: "50.01").object["sub_code"] == "REQUEST_AMOUNT_EXCEED")
            #expect(try await pay(client, world, authNo: authNo, outTradeNo: "p1", amount: "50.01").object["sub_code"] == "ACQ.AUTH_AMOUNT_NOT_ENOUGH")
            #expect(try await pay(client, world, authNo: authNo, outTradeNo: "p2", amount: "1.00", buyer: "2088103000000000").object["sub_code"] == "ACQ.AUTH_NO_ERROR")
            #expect(try await pay(client, world, authNo: authNo, outTradeNo: "p3", amount: "1.00", productCode: "PRE_AUTH_ONLINE").object["sub_code"] == "ACQ.PRE_AUTH_PROD_CODE_INCONSISTENT")
            #expect(try await pay(client, world, authNo: "2026112220010000000000000000", outTradeNo: "p4", amount: "1.00").object["sub_code"] == "ACQ.AUTH_NO_ERROR")
            let noCode = try await api.call(client, try api.request(world, method: "alipay.trade.pay",
                                                                    biz: #"{"out_trade_no":"p6","scene":"bar_code","subject":"s","total_amount":"1.00"}"#))
            #expect(noCode.object["sub_code"] == "ACQ.INVALID_PARAMETER" && noCode.object["sub_msg"] == "缺少必选参数: auth_code")
            let noBuyer = try await api.call(client, try api.request(world, method: "alipay.trade.pay",
                                                                     biz: #"{"out_trade_no":"p7","product_code":"PRE_AUTH","auth_no":"\#(authNo)","subject":"s","total_amount":"1.00"}"#))
            #expect(noBuyer.object["sub_msg"] == "缺少必选参数: buyer_id")
            #expect(try await query(client, world, #""auth_no":"\#(authNo)","out_request_no":"nothing""#).object["sub_code"] == "AUTH_OPERATION_NOT_EXIST")
            #expect(try await query(client, world, #""out_request_no":"auth-req-1""#).object["sub_code"] == "ILLEGAL_ARGUMENT")
            #expect(try await unfreeze(client, world, authNo: authNo, outRequestNo: "all", amount: "50.00").object["code"] == "10000")
            let closed = try await query(client, world, #""auth_no":"\#(authNo)","out_request_no":"all""#)
            #expect(closed.object["order_status"] == "CLOSED")
            #expect(try await unfreeze(client, world, authNo: authNo, outRequestNo: "more", amount: "1.00").object["sub_code"] == "ORDER_ALREADY_CLOSED")
            #expect(try await pay(client, world, authNo: authNo, outTradeNo: "p5", amount: "1.00").object["sub_code"] == "ACQ.AUTH_ORDER_HAS_CLOSED")
        }
        let after = try await account(world, Self.buyer)
        #expect(after.balance == before.balance && after.frozen == .zero)
        for outTradeNo in ["p1", "p2", "p3", "p4", "p5", "p6", "p7"] {
            #expect(try await world.gateway.store.trade(partner: Self.seller, outTradeNo: outTradeNo) == nil, "a refused payment creates no trade")
        }
        #expect(try await world.gateway.store.audit().isBalanced)
    }
}
