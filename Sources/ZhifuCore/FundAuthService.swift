import Foundation
import ZhifuProtocol

/// What a merchant asks `alipay.fund.auth.order.freeze` for, checked by the gateway.
public struct FundAuthDraft: Sendable {
    public var partner: UserId
    public var outOrderNo: String
    public var outRequestNo: String
    public var orderTitle: String
    public var amount: Amount
    public var payee: UserId
    public var productCode: String
    public var fingerprint: String
    public var appId: String
    public var notifyURL: String?
    public var charset: String
    public var signType: SignType
    public var transCurrency: String?

    public init(partner: UserId, outOrderNo: String, outRequestNo: String, orderTitle: String, amount: Amount, payee: UserId, productCode: String,
                fingerprint: String, appId: String, notifyURL: String?, charset: String, signType: SignType, transCurrency: String?) {
        self.partner = partner; self.outOrderNo = outOrderNo; self.outRequestNo = outRequestNo; self.orderTitle = orderTitle; self.amount = amount
        self.payee = payee; self.productCode = productCode; self.fingerprint = fingerprint; self.appId = appId; self.notifyURL = notifyURL
        self.charset = charset; self.signType = signType; self.transCurrency = transCurrency
    }
}

/// Fund authorisation (预授权): freezing a buyer's money for a merchant by the buyer's payment
/// code, unfreezing part or all of it, and reading the order and its operations. Payments from
/// an order are trades (``TradeService/payFromAuth(_:order:confirmMode:)``). Every change is one
/// store transaction with its ledger hold and its `fund_auth_*` notification.
public struct FundAuthService: Sendable {
    let store: any Store
    let clock: any Clock
    let calendar: BusinessCalendar

    public init(store: any Store, clock: any Clock, calendar: BusinessCalendar) {
        self.store = store; self.clock = clock; self.calendar = calendar
    }

    /// Freezes `draft.amount` of the payment code's owner for the payee, once per out_order_no:
    /// the same freeze again answers with the stored order and moves nothing.
    public func freeze(_ draft: FundAuthDraft, paymentCode: String) async throws -> (FundAuthOrder, FundAuthOperation) {
        if let existing = try await store.fundAuthOrder(partner: draft.partner, outOrderNo: draft.outOrderNo) {
            return try await judge(existing, draft)
        }
        let now = clock.now
        guard PaymentCode.isWellFormed(paymentCode), let code = try await store.paymentCode(paymentCode), code.usedAt == nil, code.expiresAt > now,
              let payer = try await store.account(userId: code.buyer), payer.kind == .user else { throw FundAuthFailure.paymentAuthCodeInvalid }
        guard !payer.isBlocked(at: now) else { throw FundAuthFailure.payerUserStatusLimit }
        guard payer.userId != draft.payee else { throw FundAuthFailure.payerPayeeEqual }
        let authNo = calendar.day(now) + "2001" + SecureRandom.digits(16)
        let order = FundAuthOrder(authNo: authNo, partner: draft.partner, outOrderNo: draft.outOrderNo, orderTitle: draft.orderTitle,
                                  productCode: draft.productCode, fingerprint: draft.fingerprint, payerLogonId: payer.logonId, appId: draft.appId,
                                  notifyURL: draft.notifyURL, charset: draft.charset, signType: draft.signType, transCurrency: draft.transCurrency,
                                  hold: PendingTransfer(id: FundAuthOrder.holdId(authNo: authNo), debit: payer.userId, credit: draft.payee,
                                                        amount: draft.amount, code: .fundAuthFreeze, reference: authNo, createdAt: now))
        let freeze = operation(order, .freeze, outRequestNo: draft.outRequestNo, amount: draft.amount, remark: nil)
        switch try await store.insertFundAuthOrder(order, freeze: freeze, paymentCode: (paymentCode, now),
                                                   notifications: notification(order, freeze, at: now)) {
        case .changed: return (order, freeze)
        case .duplicate:
            guard let raced = try await store.fundAuthOrder(partner: draft.partner, outOrderNo: draft.outOrderNo) else { throw FundAuthFailure.systemError }
            return try await judge(raced, draft)
        case .refused(.exceedsBalance): throw FundAuthFailure.moneyNotEnough
        case .refused(.creditAccountNotFound): throw FundAuthFailure.payeeNotExist
        case .paymentCodeUnusable: throw FundAuthFailure.paymentAuthCodeInvalid
        case .refused, .released: throw FundAuthFailure.systemError
        }
    }

    /// A freeze whose out_order_no is taken: the same request is answered again; anything else is refused.
    private func judge(_ existing: FundAuthOrder, _ draft: FundAuthDraft) async throws -> (FundAuthOrder, FundAuthOperation) {
        guard existing.fingerprint == draft.fingerprint else { throw FundAuthFailure.uniqueViolation }
        let operations = try await store.fundAuthOperations(authNo: existing.authNo)
        if let freeze = operations.first(where: { $0.kind == .freeze && $0.outRequestNo == draft.outRequestNo }) { return (existing, freeze) }
        throw FundAuthFailure.settled(existing.status) ?? .freezeAlreadySuccess
    }

    /// The merchant's order by auth_no (which wins) or out_order_no.
    public func order(authNo: String?, outOrderNo: String?, partner: UserId) async throws -> FundAuthOrder {
        let found = if let authNo { try await store.fundAuthOrder(authNo: authNo) } else if let outOrderNo {
            try await store.fundAuthOrder(partner: partner, outOrderNo: outOrderNo)
        } else { FundAuthOrder?.none }
        guard let found, found.partner == partner else { throw FundAuthFailure.authOrderNotExist }
        return found
    }

    /// Unfreezes `amount` back to the payer, once per out_request_no (the same request with
    /// another amount is UNIQUE_VIOLATION).
    public func unfreeze(_ order: FundAuthOrder, outRequestNo: String, amount: Amount, remark: String) async throws -> (FundAuthOrder, FundAuthOperation) {
        if let earlier = try await unfrozen(order, outRequestNo: outRequestNo, amount: amount) { return earlier }
        if let settled = FundAuthFailure.settled(order.status) { throw settled }
        guard amount <= order.hold.remaining else { throw FundAuthFailure.requestAmountExceed }
        let unfreeze = operation(order, .unfreeze, outRequestNo: outRequestNo, amount: amount, remark: remark)
        let service = self
        let notifyAt = clock.now
        switch try await store.unfreeze(unfreeze, notifications: { after in service.notification(after, unfreeze, at: notifyAt) }) {
        case .changed:
            guard let after = try await store.fundAuthOrder(authNo: order.authNo) else { throw FundAuthFailure.systemError }
            return (after, unfreeze)
        case .duplicate:
            if let earlier = try await unfrozen(order, outRequestNo: outRequestNo, amount: amount) { return earlier }
            throw FundAuthFailure.systemError
        case .released(.exceedsRemaining):
            // Paid or unfrozen meanwhile: judged on what is left now.
            let now = try await store.fundAuthOrder(authNo: order.authNo) ?? order
            throw FundAuthFailure.settled(now.status) ?? .requestAmountExceed
        default:
            throw FundAuthFailure.systemError
        }
    }

    private func unfrozen(_ order: FundAuthOrder, outRequestNo: String, amount: Amount) async throws -> (FundAuthOrder, FundAuthOperation)? {
        guard let earlier = try await store.fundAuthOperations(authNo: order.authNo)
            .first(where: { $0.kind == .unfreeze && $0.outRequestNo == outRequestNo }) else { return nil }
        guard earlier.amount == amount else { throw FundAuthFailure.uniqueViolation }
        return (order, earlier)
    }

    /// `alipay.fund.auth.operation.detail.query`: the operation by operation_id (which wins) or
    /// out_request_no; without a type, a freeze comes before an unfreeze.
    public func operation(of order: FundAuthOrder, operationId: String?, outRequestNo: String?,
                          kind: FundAuthOperation.Kind?) async throws -> FundAuthOperation {
        let operations = try await store.fundAuthOperations(authNo: order.authNo).filter { operation in
            (operationId.map { operation.operationId == $0 } ?? (operation.outRequestNo == outRequestNo)) && (kind.map { operation.kind == $0 } ?? true)
        }
        let ranked = operations.sorted { Self.rank($0.kind) < Self.rank($1.kind) }
        guard let found = ranked.first else { throw FundAuthFailure.authOperationNotExist }
        return found
    }

    private static func rank(_ kind: FundAuthOperation.Kind) -> Int {
        switch kind { case .freeze: 0; case .unfreeze: 1; case .pay: 2 }
    }

    func operation(_ order: FundAuthOrder, _ kind: FundAuthOperation.Kind, outRequestNo: String, amount: Amount, remark: String?) -> FundAuthOperation {
        let now = clock.now
        return FundAuthOperation(operationId: calendar.day(now) + SecureRandom.digits(12), authNo: order.authNo, outRequestNo: outRequestNo,
                                 kind: kind, amount: amount, remark: remark, createdAt: now)
    }

    /// `fund_auth_freeze` / `fund_auth_unfreeze`, with the order's totals after the operation.
    func notification(_ order: FundAuthOrder, _ operation: FundAuthOperation, at now: Date) -> [OutboxNotification] {
        guard let notifyURL = order.notifyURL, operation.kind != .pay else { return [] }
        var p = Parameters()
        p["auth_no"] = order.authNo
        p["out_order_no"] = order.outOrderNo
        p["operation_id"] = operation.operationId
        p["out_request_no"] = operation.outRequestNo
        p["operation_type"] = operation.kind.rawValue
        p["amount"] = operation.amount.description
        p["status"] = "SUCCESS"
        p["gmt_create"] = calendar.timestamp(operation.createdAt)
        p["gmt_trans"] = calendar.timestamp(operation.createdAt)
        p["payer_logon_id"] = TradeService.masked(order.payerLogonId)
        p["payer_user_id"] = order.payer.rawValue
        p["payee_user_id"] = order.payee.rawValue
        p["total_freeze_amount"] = order.hold.amount.description
        p["total_unfreeze_amount"] = order.hold.voided.description
        p["total_pay_amount"] = order.hold.posted.description
        p["rest_amount"] = order.hold.remaining.description
        p["trans_currency"] = order.transCurrency
        p["app_id"] = order.appId
        p["auth_app_id"] = order.appId
        p["charset"] = order.charset
        p["version"] = "1.0"
        return [OutboxNotification(notifyId: Hex.lowercase(SecureRandom.bytes(16)), partner: order.partner, notifyURL: notifyURL,
                                   notifyType: operation.kind == .freeze ? "fund_auth_freeze" : "fund_auth_unfreeze", protocol: .openapi,
                                   signType: order.signType, charset: Charset(name: order.charset) ?? .utf8, parameters: p, nextAttemptAt: now,
                                   createdAt: now)]
    }
}
