import Foundation
import ZhifuProtocol

/// A MYbank omni-channel acquiring order (`mybank.payment.trade.order.create`): a payment or a
/// refund taken at a terminal and reported for reconciliation. A payment's money enters the
/// merchant's balance from the clearing account; a refund leaves it the same way, never more than
/// the payments of the same `recon_related_no`.
public struct MybankOrder: Sendable, Equatable {
    public enum PayType: String, Sendable { case pay, refund }

    public var partner: UserId
    public var outTradeNo: String
    public var reconRelatedNo: String
    public var payType: PayType
    public var amount: Amount
    public var fingerprint: String
    public var createdAt: Date

    public init(partner: UserId, outTradeNo: String, reconRelatedNo: String, payType: PayType, amount: Amount, fingerprint: String, createdAt: Date) {
        self.partner = partner; self.outTradeNo = outTradeNo; self.reconRelatedNo = reconRelatedNo; self.payType = payType; self.amount = amount
        self.fingerprint = fingerprint; self.createdAt = createdAt
    }

    /// The ledger movement of the order.
    public var transfer: Transfer {
        let id = "mybank-" + Hex.lowercase(Digest.sha256(Array("\(partner.rawValue)\n\(outTradeNo)".utf8))).prefix(40)
        return payType == .pay
            ? Transfer(id: id, debit: SystemAccounts.clearing, credit: partner, amount: amount, code: .mybankOrder, reference: outTradeNo, createdAt: createdAt)
            : Transfer(id: id, debit: partner, credit: SystemAccounts.clearing, amount: amount, code: .mybankOrder, reference: outTradeNo, createdAt: createdAt)
    }
}

public enum MybankChange: Sendable, Equatable {
    case created
    /// `(partner, out_trade_no)` was taken: the stored order.
    case exists(MybankOrder)
    /// A refund beyond what the same recon_related_no paid.
    case refundExceedsPaid
    case refused(TransferResult)
}

public protocol MybankRepository: Sendable {
    /// In one transaction: the order and its transfer; a refund is checked against the payments of
    /// its recon_related_no with the merchant's account locked, so parallel refunds cannot overdraw it.
    func insertMybankOrder(_ order: MybankOrder) async throws -> MybankChange
}

/// Why MYbank refused an order; Alipay documents no sub_codes for it, so these are Zhifu's own.
public enum MybankFailure: String, Error, Sendable, BusinessFailure {
    case orderInfoInconsistent = "ORDER_INFO_INCONSISTENT"
    case refundAmountExceed = "REFUND_AMOUNT_EXCEED"
    case sellerBalanceNotEnough = "SELLER_BALANCE_NOT_ENOUGH"
    case systemError = "SYSTEM_ERROR"

    public var subCode: String { rawValue }
    public var message: String {
        switch self {
        case .orderInfoInconsistent: "外部订单号重复，订单信息不一致"
        case .refundAmountExceed: "退款金额超过对账关联号下的支付金额"
        case .sellerBalanceNotEnough: "卖家余额不足"
        case .systemError: "系统错误"
        }
    }
}

public struct MybankService: Sendable {
    let store: any Store

    public init(store: any Store) { self.store = store }

    /// Records the order once per out_trade_no: the same order again is accepted and moves nothing.
    public func create(_ order: MybankOrder) async throws {
        switch try await store.insertMybankOrder(order) {
        case .created: return
        case .exists(let stored): if stored.fingerprint != order.fingerprint { throw MybankFailure.orderInfoInconsistent }
        case .refundExceedsPaid: throw MybankFailure.refundAmountExceed
        case .refused(.exceedsBalance): throw MybankFailure.sellerBalanceNotEnough
        case .refused: throw MybankFailure.systemError
        }
    }
}
