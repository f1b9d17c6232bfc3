import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol

/// Koubei item orders (buy, query, per-item refund) and the code merchant's tickets (send, query,
/// delay, redeem in the sandbox, cancel a redemption, refunded with the order).
@Suite struct KoubeiTests {
    let api = OpenAPITests()
    static let buyer = UserId(TestWorld.buyer)!
    static let seller = UserId(TestWorld.partner)!
    typealias Answer = (key: String, object: [String: String], sign: String?, raw: String)

    static let items = #"[{"sku_id":"sku-a","original_price":"35.00","price":"30.00","quantity":2},{"sku_id":"sku-b","original_price":"15.00","price":"15.00","quantity":1}]"#

    func call(_ client: some TestClientProtocol, _ world: TestWorld, _ method: String, _ biz: String) async throws -> Answer {
        try await api.call(client, try api.request(world, method: method, biz: biz))
    }

    func buy(_ client: some TestClientProtocol, _ world: TestWorld, outOrderNo: String = "kb-1", total: String = "75.00") async throws -> Answer {
        try await call(client, world, "koubei.trade.itemorder.buy", #"{"out_order_no":"\#(outOrderNo)","subject":"双人套餐","biz_product":"ONLINE_TRADE_PAY","biz_scene":"DINE","shop_id":"shop-1","buyer_id":"\#(TestWorld.buyer)","total_amount":"\#(total)","item_order_details":\#(Self.items)}"#)
    }

    /// Buys and pays on the cashier; returns the order number.
    func paidOrder(_ client: some TestClientProtocol, _ world: TestWorld) async throws -> String {
        let bought = try await buy(client, world)
        let tradeNo = try #require(bought.object["trade_no"])
        let trade = try #require(try await world.gateway.trades.stored(tradeNo: tradeNo))
        _ = try await world.gateway.trades.pay(trade, buyer: Self.buyer)
        return try #require(bought.object["order_no"])
    }

    func query(_ client: some TestClientProtocol, _ world: TestWorld, _ orderNo: String) async throws -> [String: Any] {
        let raw = try await call(client, world, "koubei.trade.itemorder.query", #"{"order_no":"\#(orderNo)"}"#).raw
        let json = try #require(try JSONSerialization.jsonObject(with: Data(raw.utf8)) as? [String: Any])
        return try #require(json["koubei_trade_itemorder_query_response"] as? [String: Any])
    }

    func refund(_ client: some TestClientProtocol, _ world: TestWorld, _ orderNo: String, _ requestNo: String, _ infos: [(String, String)]) async throws -> Answer {
        let list = infos.map { #"{"item_order_no":"\#($0.0)","amount":"\#($0.1)"}"# }.joined(separator: ",")
        return try await call(client, world, "koubei.trade.itemorder.refund", #"{"order_no":"\#(orderNo)","out_request_no":"\#(requestNo)","refund_infos":[\#(list)],"reason":"菜品售罄"}"#)
    }

    @Test(arguments: WorldStore.available)
    func anItemOrderIsBoughtPaidAndRefundedItemByItem(store: WorldStore) async throws {
        let world = try await TestWorld.make(store: store)
        let buyerBefore = try #require(try await world.gateway.store.account(userId: Self.buyer)).balance
        try await world.app().test(.router) { client in
            let bought = try await buy(client, world)
            #expect(bought.key == "koubei_trade_itemorder_buy_response" && bought.object["code"] == "10000" && bought.object["order_no"]?.count == 32)
            #expect(bought.object["trade_no"]?.count == 28 && bought.object["cashier_order_id"] != nil)
            let again = try await buy(client, world)
            #expect(again.object["order_no"] == bought.object["order_no"], "the same order again is the same order: \(again.raw)")
            #expect(try await buy(client, world, total: "76.00").object["sub_code"] == "TOTAL_AMOUNT_NOT_MATCH")
            let changed = try await call(client, world, "koubei.trade.itemorder.buy", #"{"out_order_no":"kb-1","subject":"改了","biz_product":"ONLINE_TRADE_PAY","biz_scene":"DINE","shop_id":"shop-1","buyer_id":"\#(TestWorld.buyer)","total_amount":"75.00","item_order_details":\#(Self.items)}"#)
            #expect(changed.object["sub_code"] == "ORDER_INFO_INCONSISTENT")
            let orderNo = try #require(bought.object["order_no"])
            #expect(try await query(client, world, orderNo)["status"] as? String == "WAIT_PAY")

            let tradeNo = try #require(bought.object["trade_no"])
            let trade = try #require(try await world.gateway.trades.stored(tradeNo: tradeNo))
            _ = try await world.gateway.trades.pay(trade, buyer: Self.buyer)
            let paid = try await query(client, world, orderNo)
            #expect(paid["status"] as? String == "SUCCESS" && paid["real_pay_amount"] as? String == "75.00" && paid["gmt_payment"] != nil)
            let vo = try #require(paid["item_order_vo"] as? [[String: Any]])
            #expect(vo.count == 2 && vo[0]["quantity"] as? String == "2" && vo[0]["price"] as? String == "30.00")
            let first = try #require(vo[0]["item_order_no"] as? String), second = try #require(vo[1]["item_order_no"] as? String)

            let part = try await refund(client, world, orderNo, "rf-1", [(first, "30.00")])
            #expect(part.object["code"] == "10000" && part.object["real_refund_amount"] == "30.00")
            #expect(try await refund(client, world, orderNo, "rf-1", [(first, "30.00")]).object["real_refund_amount"] == "30.00", "once per out_request_no")
            #expect(try await refund(client, world, orderNo, "rf-2", [(first, "30.01")]).object["sub_code"] == "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL")
            #expect(try await refund(client, world, orderNo, "rf-3", [("nope", "1.00")]).object["sub_code"] == "ACQ.INVALID_PARAMETER")
            let rest = try await refund(client, world, orderNo, "rf-4", [(first, "30.00"), (second, "15.00")])
            #expect(rest.object["real_refund_amount"] == "45.00")
            let finished = try await query(client, world, orderNo)
            #expect(finished["status"] as? String == "FINISH" && finished["deliver_seller_real_amount"] as? String == "0.00")
            #expect(try await call(client, world, "koubei.trade.itemorder.query", #"{"order_no":"20260101000000000000000000000000"}"#).object["sub_code"] == "ORDER_NOT_EXIST")
        }
        #expect(try await world.gateway.store.account(userId: Self.buyer)?.balance == buyerBefore)
        #expect(try await world.gateway.store.audit().isBalanced)
    }

    func send(_ client: some TestClientProtocol, _ world: TestWorld, _ orderNo: String, token: String? = nil, requestId: String = "send-1",
              codes: String = #"[{"code":"KB0001","num":"2"},{"code":"KB0002","num":"1"}]"#) async throws -> Answer {
        let notice = try await client.get("/sandbox/koubei/orders/\(orderNo)").1
        let json = try #require(try JSONSerialization.jsonObject(with: Data(notice.utf8)) as? [String: String])
        let sendOrderNo = try #require(json["send_order_no"]), sendToken = token ?? json["send_token"]!
        return try await call(client, world, "koubei.trade.ticket.ticketcode.send", #"{"request_id":"\#(requestId)","order_no":"\#(orderNo)","send_order_no":"\#(sendOrderNo)","send_token":"\#(sendToken)","isv_ma_list":\#(codes)}"#)
    }

    func ticket(_ client: some TestClientProtocol, _ world: TestWorld, _ code: String, shop: String = "shop-1") async throws -> Answer {
        try await call(client, world, "koubei.trade.ticket.ticketcode.query", #"{"ticket_code":"\#(code)","shop_id":"\#(shop)"}"#)
    }

    func use(_ client: some TestClientProtocol, _ code: String, _ requestId: String, quantity: Int = 1) async throws -> (HTTPResponse.Status, String) {
        try await client.post("/sandbox/koubei/tickets/\(code)/use?request_id=\(requestId)&quantity=\(quantity)&shop_id=shop-1", form: "")
    }

    @Test func aTicketIsSentQueriedDelayedRedeemedCancelledAndRefunded() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let unpaid = try #require(try await buy(client, world, outOrderNo: "kb-unpaid").object["order_no"])
            #expect(try await send(client, world, unpaid).object["sub_code"] == "ORDER_STATUS_INVALID", "no codes for an unpaid order")
            let orderNo = try await paidOrder(client, world)
            #expect(try await send(client, world, orderNo, token: "forged").object["sub_code"] == "SEND_TOKEN_INVALID")
            let sent = try await send(client, world, orderNo)
            #expect(sent.object["code"] == "10000" && sent.object["request_id"] == "send-1" && sent.object["biz_code"] == nil)
            #expect(try await send(client, world, orderNo).object["biz_code"] == "BIZ_ALREADY_SUCCESS")
            #expect(try await send(client, world, orderNo, requestId: "send-2", codes: #"[{"code":"KB0001","num":"1"}]"#).object["sub_code"] == "TICKET_CODE_DUPLICATE")

            let effective = try await ticket(client, world, "KB0001")
            #expect(effective.object["ticket_status"] == "EFFECTIVE" && effective.object["ticket_status_desc"] == "未核销，且可以在当前门店核销")
            #expect(effective.object["total_quantity"] == "2" && effective.object["available_quantity"] == "2" && effective.object["time_cards"] == "true")
            #expect(try await ticket(client, world, "KB0001", shop: "shop-9").object["ticket_status"] == "UN_EFFECTIVE")
            #expect(try await ticket(client, world, "NOPE").object["sub_code"] == "TICKET_NOT_EXIST")

            let later = world.gateway.configuration.calendar.timestamp(world.gateway.clock.now.addingTimeInterval(400 * 86_400))
            let delayed = try await call(client, world, "koubei.trade.ticket.ticketcode.delay", #"{"request_id":"d-1","order_no":"\#(orderNo)","ticket_code":"KB0001","end_date":"\#(later)","code_type":"EXTERNAL_CODE"}"#)
            let afterDelay = try await ticket(client, world, "KB0001")
            #expect(delayed.object["code"] == "10000" && afterDelay.object["expire_date"] == later)

            #expect(try await use(client, "KB0001", "use-1", quantity: 2).0 == .ok)
            #expect(try await ticket(client, world, "KB0001").object["ticket_status"] == "USED")
            #expect(try await use(client, "KB0001", "use-2").0 == .conflict, "a used-up ticket cannot be used")
            let usedDelay = try await call(client, world, "koubei.trade.ticket.ticketcode.delay", #"{"request_id":"d-2","order_no":"\#(orderNo)","ticket_code":"KB0001","end_date":"\#(later)"}"#)
            #expect(usedDelay.object["sub_code"] == "TICKET_STATUS_INVALID", "a used ticket cannot be delayed")

            let cancelBiz = #"{"request_id":"c-1","request_biz_no":"use-1","ticket_code":"KB0001","quantity":"2"}"#
            #expect(try await call(client, world, "koubei.trade.ticket.ticketcode.cancel", cancelBiz).object["code"] == "10000")
            #expect(try await call(client, world, "koubei.trade.ticket.ticketcode.cancel", cancelBiz).object["biz_code"] == "BIZ_ALREADY_SUCCESS")
            #expect(try await call(client, world, "koubei.trade.ticket.ticketcode.cancel", #"{"request_id":"c-2","request_biz_no":"never","ticket_code":"KB0001"}"#).object["sub_code"] == "USE_RECORD_NOT_EXIST")
            let restored = try await ticket(client, world, "KB0001")
            #expect(restored.object["ticket_status"] == "EFFECTIVE" && restored.object["available_quantity"] == "2")
            let restoredJSON = try JSONSerialization.jsonObject(with: Data(restored.raw.utf8)) as? [String: Any]
            let history = try #require(restoredJSON?["koubei_trade_ticket_ticketcode_query_response"] as? [String: Any])
            #expect((history["ticket_trans_info_list"] as? [[String: Any]])?.compactMap { $0["ticket_trans_type"] as? String } == ["SEND", "DELAY", "USE", "CANCEL"])

            let finalQuery = try await query(client, world, orderNo)
            let vo = try #require(finalQuery["item_order_vo"] as? [[String: Any]])
            let all = vo.compactMap { item -> (String, String)? in
                guard let no = item["item_order_no"] as? String, let price = item["price"] as? String, let quantity = item["quantity"] as? String else { return nil }
                return (no, (Amount(price)!.fen * Int64(quantity)! == 6_000) ? "60.00" : "15.00")
            }
            #expect(try await refund(client, world, orderNo, "all", all).object["code"] == "10000")
            #expect(try await ticket(client, world, "KB0001").object["ticket_status"] == "REFUNDED")
            #expect(try await use(client, "KB0002", "use-3").0 == .conflict, "a refunded ticket cannot be used")
        }
        #expect(try await world.gateway.store.audit().isBalanced)
    }

    @Test func aPostOrderPayPrecreateIsMadeOncePerRequestAndItsCodeOpensTheOrder() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let biz = #"{"request_id":"pre-1","biz_type":"POST_ORDER_PAY","out_order_no":"table-7","shop_id":"shop-1"}"#
            let made = try await call(client, world, "koubei.trade.order.precreate", biz)
            #expect(made.key == "koubei_trade_order_precreate_response" && made.object["code"] == "10000" && made.object["order_no"]?.count == 32)
            let qr = try #require(made.object["qr_code"])
            #expect(try await call(client, world, "koubei.trade.order.precreate", biz).object["order_no"] == made.object["order_no"])
            let other = try await call(client, world, "koubei.trade.order.precreate", #"{"request_id":"pre-1","biz_type":"POST_ORDER_PAY","out_order_no":"table-8","shop_id":"shop-1"}"#)
            #expect(other.object["sub_code"] == "ORDER_INFO_INCONSISTENT")
            #expect(try await call(client, world, "koubei.trade.order.precreate", #"{"request_id":"pre-2","biz_type":"POST_ORDER_PAY","shop_id":"s"}"#).object["sub_msg"] == "缺少必选参数: out_order_no")
            #expect(try await call(client, world, "koubei.trade.order.precreate", #"{"request_id":"pre-3","biz_type":"CREDIT_AUTH","out_order_no":"o","shop_id":"s"}"#).object["sub_code"] == "ACQ.INVALID_PARAMETER")
            let path = try #require(qr.range(of: "/koubei/order/")).lowerBound
            let page = try await client.get(String(qr[path...]))
            #expect(page.0 == .ok && element("out-order-no", in: page.1) == "table-7")
            #expect(try await client.get("/koubei/order/20260101000000000000000000000000").0 == .notFound)
        }
    }

    @Test(arguments: WorldStore.available)
    func parallelRedemptionsNeverUseMoreThanATicketHolds(store: WorldStore) async throws {
        let world = try await TestWorld.make(store: store)
        try await world.app().test(.router) { client in
            let orderNo = try await paidOrder(client, world)
            #expect(try await send(client, world, orderNo, codes: #"[{"code":"KB0100","num":"3"}]"#).object["code"] == "10000")
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for index in 0..<12 { group.addTask { try await use(client, "KB0100", "p-\(index)").0 } }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 3, "three uses, three redemptions: \(statuses)")
            let left = try await ticket(client, world, "KB0100").object["available_quantity"]
            #expect(left.flatMap(Int.init) == 3 - statuses.filter { $0 == .ok }.count, "every success used one, no more")
        }
    }
}
