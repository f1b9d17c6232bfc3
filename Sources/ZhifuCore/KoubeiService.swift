import Foundation
import ZhifuProtocol

/// Why a koubei operation was refused. Alipay publishes no sub_code table for these methods;
/// these names are Zhifu's (docs/fidelity.md §13c says so), answered as 40004 Business Failed.
public enum KoubeiFailure: String, Error, Sendable, CaseIterable, BusinessFailure {
    case orderNotExist = "ORDER_NOT_EXIST"
    case orderStatusInvalid = "ORDER_STATUS_INVALID"
    case totalAmountNotMatch = "TOTAL_AMOUNT_NOT_MATCH"
    case orderInfoInconsistent = "ORDER_INFO_INCONSISTENT"
    case sendTokenInvalid = "SEND_TOKEN_INVALID"
    case ticketCodeDuplicate = "TICKET_CODE_DUPLICATE"
    case ticketNotExist = "TICKET_NOT_EXIST"
    case ticketStatusInvalid = "TICKET_STATUS_INVALID"
    case endDateInvalid = "END_DATE_INVALID"
    case useRecordNotExist = "USE_RECORD_NOT_EXIST"
    case quantityInvalid = "QUANTITY_INVALID"
    case systemError = "SYSTEM_ERROR"

    public var subCode: String { rawValue }

    public var message: String {
        switch self {
        case .orderNotExist: "订单不存在"
        case .orderStatusInvalid: "订单状态不合法"
        case .totalAmountNotMatch: "订单金额必须等于商品费用之和"
        case .orderInfoInconsistent: "商户订单号重复，订单信息不一致"
        case .sendTokenInvalid: "发货单号或验证串错误"
        case .ticketCodeDuplicate: "凭证码重复"
        case .ticketNotExist: "凭证不存在"
        case .ticketStatusInvalid: "凭证状态不允许此操作"
        case .endDateInvalid: "延期时间不合法"
        case .useRecordNotExist: "核销记录不存在"
        case .quantityInvalid: "份数不合法"
        case .systemError: "系统错误"
        }
    }
}

/// What a ticket shows (`ticket_status`), with Alipay's fixed description.
public enum KoubeiTicketStatus: String, Sendable {
    case used = "USED"
    case effective = "EFFECTIVE"
    case unEffective = "UN_EFFECTIVE"
    case refunded = "REFUNDED"

    public var description: String {
        switch self {
        case .used: "该券已经被消费，无法核销"
        case .effective: "未核销，且可以在当前门店核销"
        case .unEffective: "未核销，但不可以在当前门店核销"
        case .refunded: "该券已经退款，无法核销"
        }
    }
}

/// Koubei item orders and the code merchant's tickets. An order's money is its trade
/// (``TradeService``); a ticket's every change is one versioned write with its history line, and
/// a `request_id` seen before answers `BIZ_ALREADY_SUCCESS` without changing anything again.
public struct KoubeiService: Sendable {
    let store: any Store
    let clock: any Clock
    let calendar: BusinessCalendar

    public init(store: any Store, clock: any Clock, calendar: BusinessCalendar) {
        self.store = store; self.clock = clock; self.calendar = calendar
    }

    public static let alreadySuccess = "BIZ_ALREADY_SUCCESS"

    /// Stores a new order for its trade, or answers the one stored under this out_order_no.
    public func insert(_ order: KoubeiOrder) async throws -> KoubeiOrder {
        if try await store.insertKoubeiOrder(order) { return order }
        guard let existing = try await store.koubeiOrder(partner: order.partner, outOrderNo: order.outOrderNo) else { throw KoubeiFailure.systemError }
        guard existing.fingerprint == order.fingerprint else { throw KoubeiFailure.orderInfoInconsistent }
        return existing
    }

    public func existing(partner: UserId, outOrderNo: String) async throws -> KoubeiOrder? {
        try await store.koubeiOrder(partner: partner, outOrderNo: outOrderNo)
    }

    /// The merchant's order by its number.
    public func order(orderNo: String, partner: UserId) async throws -> KoubeiOrder {
        guard orderNo.utf8.count <= 64, let order = try await store.koubeiOrder(orderNo: orderNo), order.partner == partner else {
            throw KoubeiFailure.orderNotExist
        }
        return order
    }

    public func newOrderNo() -> String { calendar.day(clock.now) + SecureRandom.digits(24) }

    /// `koubei.trade.order.precreate`: once per request_id (the same request_id with other content
    /// is refused).
    public func precreate(_ precreate: KoubeiPrecreate) async throws -> KoubeiPrecreate {
        guard let stored = try await store.insertKoubeiPrecreate(precreate) else { return precreate }
        guard stored.bizType == precreate.bizType, stored.outOrderNo == precreate.outOrderNo, stored.shopId == precreate.shopId else {
            throw KoubeiFailure.orderInfoInconsistent
        }
        return stored
    }

    public func precreated(orderNo: String) async throws -> KoubeiPrecreate? {
        guard orderNo.utf8.count <= 64 else { return nil }
        return try await store.koubeiPrecreate(orderNo: orderNo)
    }

    // MARK: Tickets

    /// `ticketcode.send`: records the codes (each good for `num` uses) the code merchant issued
    /// for a paid order; `biz_code` BIZ_ALREADY_SUCCESS when this request_id was recorded before.
    public func send(order: KoubeiOrder, trade: Trade, sendOrderNo: String, sendToken: String, requestId: String, codes: [(code: String, num: Int64)],
                     validStart: Date?, validEnd: Date?) async throws -> String? {
        guard sendOrderNo == order.sendOrderNo, ConstantTime.equals(Array(sendToken.utf8), Array(order.sendToken.utf8)) else {
            throw KoubeiFailure.sendTokenInvalid
        }
        let sent = try await store.koubeiTickets(orderNo: order.orderNo)
        for ticket in sent where try await store.koubeiTicketTrans(code: ticket.ticketCode).contains(where: { $0.kind == .send && $0.requestId == requestId }) {
            return Self.alreadySuccess
        }
        guard KoubeiOrder.status(of: trade) == "SUCCESS" else { throw KoubeiFailure.orderStatusInvalid }
        guard !codes.isEmpty, codes.allSatisfy({ $0.num > 0 && $0.num <= 9_999 }) else { throw KoubeiFailure.quantityInvalid }
        guard Set(codes.map(\.code)).count == codes.count else { throw KoubeiFailure.ticketCodeDuplicate }
        let now = clock.now
        let start = validStart ?? now, end = validEnd ?? now.addingTimeInterval(365 * 86_400)
        guard start < end else { throw KoubeiFailure.endDateInvalid }
        let tickets = codes.map { KoubeiTicket(ticketCode: $0.code, orderNo: order.orderNo, partner: order.partner, totalQuantity: $0.num,
                                               availableQuantity: $0.num, validStart: start, validEnd: end, createdAt: now) }
        let lines = codes.map { line($0.code, .send, requestId: requestId, quantity: $0.num, seq: 0) }
        guard try await store.insertKoubeiTickets(tickets, lines: lines) else { throw KoubeiFailure.ticketCodeDuplicate }
        return nil
    }

    /// The merchant's ticket with its order and trade.
    public func ticket(code: String, partner: UserId) async throws -> (ticket: KoubeiTicket, order: KoubeiOrder, trade: Trade) {
        guard code.utf8.count <= 64, let ticket = try await store.koubeiTicket(code: code), ticket.partner == partner,
              let order = try await store.koubeiOrder(orderNo: ticket.orderNo), let trade = try await store.trade(tradeNo: order.tradeNo) else {
            throw KoubeiFailure.ticketNotExist
        }
        return (ticket, order, trade)
    }

    public func history(code: String) async throws -> [KoubeiTicketTrans] { try await store.koubeiTicketTrans(code: code) }

    /// `ticket_status` at `shopId`: refunded with its order, used up, outside its validity or at
    /// another shop, or effective.
    public func status(_ ticket: KoubeiTicket, order: KoubeiOrder, trade: Trade, shopId: String?) -> KoubeiTicketStatus {
        if KoubeiOrder.status(of: trade) == "FINISH" { return .refunded }
        if ticket.availableQuantity == 0 { return .used }
        let now = clock.now
        if now < ticket.validStart || now >= ticket.validEnd || (shopId.map { $0 != order.shopId } ?? false) { return .unEffective }
        return .effective
    }

    /// `ticketcode.delay`: moves the end of validity later; a used-up or refunded ticket cannot be.
    public func delay(code: String, orderNo: String, partner: UserId, requestId: String, endDate: Date) async throws -> String? {
        try await changing(code, partner: partner, .delay, requestId) { ticket, order, trade in
            guard ticket.orderNo == orderNo else { throw KoubeiFailure.ticketNotExist }
            let status = status(ticket, order: order, trade: trade, shopId: nil)
            guard status != .used, status != .refunded else { throw KoubeiFailure.ticketStatusInvalid }
            guard endDate > ticket.validEnd, endDate > clock.now else { throw KoubeiFailure.endDateInvalid }
            var delayed = ticket
            delayed.validEnd = endDate
            return (delayed, 0)
        }
    }

    /// A redemption (核销) at a shop: the sandbox's stand-in for the shop's scanner.
    public func use(code: String, partner: UserId, requestId: String, quantity: Int64, shopId: String?) async throws -> String? {
        try await changing(code, partner: partner, .use, requestId) { ticket, order, trade in
            guard status(ticket, order: order, trade: trade, shopId: shopId) == .effective else { throw KoubeiFailure.ticketStatusInvalid }
            guard quantity > 0, quantity <= ticket.availableQuantity else { throw KoubeiFailure.quantityInvalid }
            var used = ticket
            used.availableQuantity -= quantity
            return (used, quantity)
        }
    }

    /// The sandbox's 发码通知: what Koubei tells the code merchant about an order to issue codes for.
    public func sendNotice(orderNo: String) async throws -> KoubeiOrder {
        guard orderNo.utf8.count <= 64, let order = try await store.koubeiOrder(orderNo: orderNo) else { throw KoubeiFailure.orderNotExist }
        return order
    }

    /// The sandbox's shop scanner: redeems a ticket for whichever merchant it belongs to.
    public func redeem(code: String, requestId: String, quantity: Int64, shopId: String?) async throws -> String? {
        guard code.utf8.count <= 64, let ticket = try await store.koubeiTicket(code: code) else { throw KoubeiFailure.ticketNotExist }
        return try await use(code: code, partner: ticket.partner, requestId: requestId, quantity: quantity, shopId: shopId)
    }

    /// `ticketcode.cancel` (撤销核销): gives back the uses of the redemption `useRequestId`, once.
    public func cancel(code: String, partner: UserId, useRequestId: String, quantity: Int64?) async throws -> String? {
        try await changing(code, partner: partner, .cancel, useRequestId) { ticket, _, trade in
            guard let use = try await store.koubeiTicketTrans(code: code).first(where: { $0.kind == .use && $0.requestId == useRequestId }) else {
                throw KoubeiFailure.useRecordNotExist
            }
            guard KoubeiOrder.status(of: trade) != "FINISH" else { throw KoubeiFailure.ticketStatusInvalid }
            if let quantity, quantity != use.quantity { throw KoubeiFailure.quantityInvalid }
            var restored = ticket
            restored.availableQuantity += use.quantity
            return (restored, use.quantity)
        }
    }

    private func seen(_ code: String, _ kind: KoubeiTicketTrans.Kind, _ requestId: String) async throws -> Bool {
        try await store.koubeiTicketTrans(code: code).contains { $0.kind == kind && $0.requestId == requestId }
    }

    /// One change of a ticket: judged by `body` on the ticket as stored, written over the version it
    /// read with its history line. A request seen before answers BIZ_ALREADY_SUCCESS; a lost race
    /// reads the ticket again and is judged again.
    private func changing(_ code: String, partner: UserId, _ kind: KoubeiTicketTrans.Kind, _ requestId: String,
                          _ body: (KoubeiTicket, KoubeiOrder, Trade) async throws -> (KoubeiTicket, quantity: Int64)) async throws -> String? {
        for _ in 0..<16 {
            let (ticket, order, trade) = try await self.ticket(code: code, partner: partner)
            if try await seen(code, kind, requestId) { return Self.alreadySuccess }
            let (changed, quantity) = try await body(ticket, order, trade)
            if try await store.updateKoubeiTicket(changed, line: line(code, kind, requestId: requestId, quantity: quantity, seq: ticket.version + 1)) {
                return nil
            }
        }
        throw KoubeiFailure.systemError
    }

    private func line(_ code: String, _ kind: KoubeiTicketTrans.Kind, requestId: String, quantity: Int64, seq: Int64) -> KoubeiTicketTrans {
        KoubeiTicketTrans(transId: calendar.day(clock.now) + SecureRandom.digits(16), ticketCode: code, kind: kind, requestId: requestId,
                          quantity: quantity, seq: seq, createdAt: clock.now)
    }
}
