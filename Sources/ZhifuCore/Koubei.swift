import Foundation
import ZhifuProtocol

/// A koubei item order (`koubei.trade.itemorder.buy`): items bought at a shop, paid through a
/// trade on the cashier like page.pay. Its money is the trade's; its status is read from it.
public struct KoubeiOrder: Sendable, Equatable {
    public struct Item: Sendable, Equatable, Codable {
        public var itemOrderNo: String
        public var skuId: String
        public var originalPriceFen: Int64
        public var priceFen: Int64
        public var quantity: Int64
        public var price: Amount { Amount(fen: priceFen) }
        /// What the item cost in all: price × quantity.
        public var totalFen: Int64 { priceFen * quantity }

        public init(itemOrderNo: String, skuId: String, originalPriceFen: Int64, priceFen: Int64, quantity: Int64) {
            self.itemOrderNo = itemOrderNo; self.skuId = skuId; self.originalPriceFen = originalPriceFen; self.priceFen = priceFen
            self.quantity = quantity
        }
    }

    public var orderNo: String
    public var partner: UserId
    public var outOrderNo: String
    public var tradeNo: String
    public var shopId: String
    public var buyer: UserId
    public var bizProduct: String
    public var bizScene: String
    public var items: [Item]
    /// 口碑商品发货单号 and 验证串 a code merchant echoes in `ticketcode.send`.
    public var sendOrderNo: String
    public var sendToken: String
    public var fingerprint: String
    public var createdAt: Date

    public init(orderNo: String, partner: UserId, outOrderNo: String, tradeNo: String, shopId: String, buyer: UserId, bizProduct: String,
                bizScene: String, items: [Item], sendOrderNo: String, sendToken: String, fingerprint: String, createdAt: Date) {
        self.orderNo = orderNo; self.partner = partner; self.outOrderNo = outOrderNo; self.tradeNo = tradeNo; self.shopId = shopId
        self.buyer = buyer; self.bizProduct = bizProduct; self.bizScene = bizScene; self.items = items; self.sendOrderNo = sendOrderNo
        self.sendToken = sendToken; self.fingerprint = fingerprint; self.createdAt = createdAt
    }

    /// The order's `status` from its trade: WAIT_PAY, CLOSE (unpaid and closed), SUCCESS (paid: the
    /// money is the merchant's at once) or FINISH (refunded in full).
    public static func status(of trade: Trade) -> String {
        switch trade.status {
        case .waitBuyerPay: "WAIT_PAY"
        case .tradeClosed: trade.details.paidAt == nil ? "CLOSE" : "FINISH"
        case .tradeSuccess, .tradeFinished: "SUCCESS"
        }
    }
}

/// A code a code merchant (码商) issued for a koubei order (`koubei.trade.ticket.ticketcode.send`).
public struct KoubeiTicket: Sendable, Equatable {
    public var ticketCode: String
    public var orderNo: String
    public var partner: UserId
    public var totalQuantity: Int64
    public var availableQuantity: Int64
    public var validStart: Date
    public var validEnd: Date
    /// Bumped by every change: a change is written only over the version it read.
    public var version: Int64
    public var createdAt: Date

    public init(ticketCode: String, orderNo: String, partner: UserId, totalQuantity: Int64, availableQuantity: Int64, validStart: Date, validEnd: Date,
                version: Int64 = 0, createdAt: Date) {
        self.ticketCode = ticketCode; self.orderNo = orderNo; self.partner = partner; self.totalQuantity = totalQuantity
        self.availableQuantity = availableQuantity; self.validStart = validStart; self.validEnd = validEnd; self.version = version
        self.createdAt = createdAt
    }
}

/// One line of a ticket's history (凭证流水): sent, used, a use cancelled, delayed.
public struct KoubeiTicketTrans: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case send = "SEND"
        case use = "USE"
        case cancel = "CANCEL"
        case delay = "DELAY"
    }

    public var transId: String
    public var ticketCode: String
    public var kind: Kind
    /// The merchant's request number: idempotency key per ticket and kind.
    public var requestId: String
    public var quantity: Int64
    /// The ticket's version this line made (0 for SEND): the history's order.
    public var seq: Int64
    public var createdAt: Date

    public init(transId: String, ticketCode: String, kind: Kind, requestId: String, quantity: Int64, seq: Int64, createdAt: Date) {
        self.transId = transId; self.ticketCode = ticketCode; self.kind = kind; self.requestId = requestId; self.quantity = quantity
        self.seq = seq; self.createdAt = createdAt
    }
}

/// An order precreated for 点餐后付 (`koubei.trade.order.precreate`, biz_type POST_ORDER_PAY): a
/// code for the table that the diner scans; the bill comes later.
public struct KoubeiPrecreate: Sendable, Equatable {
    public var partner: UserId
    /// The idempotency key: the same request_id again answers the same order.
    public var requestId: String
    public var orderNo: String
    public var bizType: String
    public var outOrderNo: String
    public var shopId: String
    public var createdAt: Date

    public init(partner: UserId, requestId: String, orderNo: String, bizType: String, outOrderNo: String, shopId: String, createdAt: Date) {
        self.partner = partner; self.requestId = requestId; self.orderNo = orderNo; self.bizType = bizType; self.outOrderNo = outOrderNo
        self.shopId = shopId; self.createdAt = createdAt
    }
}

public protocol KoubeiRepository: Sendable {
    /// Returns the stored precreate when `(partner, request_id)` is taken, else stores this one.
    func insertKoubeiPrecreate(_ precreate: KoubeiPrecreate) async throws -> KoubeiPrecreate?
    func koubeiPrecreate(orderNo: String) async throws -> KoubeiPrecreate?
    /// Returns `false` when the order number or `(partner, out_order_no)` is taken.
    func insertKoubeiOrder(_ order: KoubeiOrder) async throws -> Bool
    func koubeiOrder(orderNo: String) async throws -> KoubeiOrder?
    func koubeiOrder(partner: UserId, outOrderNo: String) async throws -> KoubeiOrder?
    /// Inserts the tickets with their SEND lines in one transaction; `false` (nothing written)
    /// when a code is taken.
    func insertKoubeiTickets(_ tickets: [KoubeiTicket], lines: [KoubeiTicketTrans]) async throws -> Bool
    func koubeiTicket(code: String) async throws -> KoubeiTicket?
    func koubeiTickets(orderNo: String) async throws -> [KoubeiTicket]
    func koubeiTicketTrans(code: String) async throws -> [KoubeiTicketTrans]
    /// Stores the ticket's new state and its history line in one transaction, only over the version
    /// it was read at and only if the line's `(ticket, kind, request_id)` is new; `false` otherwise.
    func updateKoubeiTicket(_ ticket: KoubeiTicket, line: KoubeiTicketTrans) async throws -> Bool
}

/// Per-item amounts of a refund (口碑商品单): each item gets back at most what it cost less its
/// earlier refunds, checked inside the refund's optimistic loop.
public struct ItemRefunds: Sendable, Equatable {
    public var amounts: [String: Amount]
    /// item_order_no → what the item cost.
    public var limits: [String: Amount]

    public init(amounts: [String: Amount], limits: [String: Amount]) { self.amounts = amounts; self.limits = limits }
}

extension TradeService {
    func check(_ items: ItemRefunds, of trade: Trade) async throws {
        var refunded: [String: Int64] = [:]
        for refund in try await store.refunds(tradeNo: trade.tradeNo) {
            for (item, fen) in refund.items ?? [:] { refunded[item, default: 0] += fen }
        }
        for (item, amount) in items.amounts {
            guard let limit = items.limits[item], amount.fen > 0, refunded[item, default: 0] + amount.fen <= limit.fen else {
                throw TradeFailure.refundAmtNotEqualTotal
            }
        }
    }

    /// Every refund of the trade, oldest first.
    public func refunds(tradeNo: String) async throws -> [TradeRefund] {
        try await store.refunds(tradeNo: tradeNo)
    }
}
