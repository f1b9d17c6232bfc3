import Foundation
import ZhifuModels

/// `koubei.trade.*` as typed calls: item orders (paid through their `trade_no` on the cashier) and
/// the code merchant's tickets.
public struct AlipayKoubei: Sendable {
    let client: AlipayClient

    /// 口碑商品交易购买.
    public func itemorderBuy(_ model: KoubeiItemorderBuyModel, notifyURL: String? = nil) async throws -> KoubeiItemorderBuyResponse {
        try await client.call("koubei.trade.itemorder.buy", model, notifyURL: notifyURL)
    }

    /// 口碑商品交易查询.
    public func itemorderQuery(orderNo: String) async throws -> KoubeiItemorderQueryResponse {
        try await client.call("koubei.trade.itemorder.query", KoubeiItemorderQueryModel(orderNo: orderNo))
    }

    /// 口碑商品交易退货: per item, once per out_request_no.
    public func itemorderRefund(_ model: KoubeiItemorderRefundModel) async throws -> KoubeiItemorderRefundResponse {
        try await client.call("koubei.trade.itemorder.refund", model)
    }

    /// 口碑订单预下单 (点餐后付): the order number and the code for the table.
    public func orderPrecreate(_ model: KoubeiOrderPrecreateModel) async throws -> KoubeiOrderPrecreateResponse {
        try await client.call("koubei.trade.order.precreate", model)
    }

    /// 码商发码成功回调.
    public func ticketcodeSend(_ model: KoubeiTicketcodeSendModel) async throws -> KoubeiTicketcodeResponse {
        try await client.call("koubei.trade.ticket.ticketcode.send", model)
    }

    /// 口碑凭证码查询.
    public func ticketcodeQuery(ticketCode: String, shopId: String) async throws -> KoubeiTicketcodeQueryResponse {
        try await client.call("koubei.trade.ticket.ticketcode.query", KoubeiTicketcodeQueryModel(ticketCode: ticketCode, shopId: shopId))
    }

    /// 口碑凭证延期.
    public func ticketcodeDelay(_ model: KoubeiTicketcodeDelayModel) async throws -> KoubeiTicketcodeResponse {
        try await client.call("koubei.trade.ticket.ticketcode.delay", model)
    }

    /// 口碑凭证码撤销核销.
    public func ticketcodeCancel(_ model: KoubeiTicketcodeCancelModel) async throws -> KoubeiTicketcodeResponse {
        try await client.call("koubei.trade.ticket.ticketcode.cancel", model)
    }
}
