import Foundation
import ZhifuProtocol

/// 资金授权订单 (`alipay.fund.auth.order.freeze`): a buyer's money frozen for one merchant, then
/// paid to it by `alipay.trade.pay` (product PRE_AUTH) or unfrozen. Its money is a
/// ``PendingTransfer`` from the payer to the payee: `posted` is what was paid, `voided` what was
/// unfrozen, `remaining` what is still frozen.
public struct FundAuthOrder: Sendable, Equatable {
    public var authNo: String
    /// The merchant the order belongs to (the app's, or the one its app_auth_token names).
    public var partner: UserId
    public var outOrderNo: String
    public var orderTitle: String
    public var productCode: String
    /// Hash of the freeze's content: the same out_order_no with other content is UNIQUE_VIOLATION.
    public var fingerprint: String
    public var payerLogonId: String
    public var appId: String
    public var notifyURL: String?
    public var charset: String
    public var signType: SignType
    public var transCurrency: String?
    public var hold: PendingTransfer

    public init(authNo: String, partner: UserId, outOrderNo: String, orderTitle: String, productCode: String, fingerprint: String,
                payerLogonId: String, appId: String, notifyURL: String?, charset: String, signType: SignType, transCurrency: String?,
                hold: PendingTransfer) {
        self.authNo = authNo; self.partner = partner; self.outOrderNo = outOrderNo; self.orderTitle = orderTitle
        self.productCode = productCode; self.fingerprint = fingerprint; self.payerLogonId = payerLogonId; self.appId = appId
        self.notifyURL = notifyURL; self.charset = charset; self.signType = signType; self.transCurrency = transCurrency; self.hold = hold
    }

    public var payer: UserId { hold.debit }
    public var payee: UserId { hold.credit }
    public var createdAt: Date { hold.createdAt }

    /// `order_status`: AUTHORIZED while money is frozen; FINISH once paid and nothing is left;
    /// CLOSED when everything was unfrozen without a payment.
    public var status: FundAuthOrderStatus {
        if hold.remaining.fen > 0 { return .authorized }
        return hold.posted.fen > 0 ? .finish : .closed
    }

    /// The ledger id of the order's hold.
    public static func holdId(authNo: String) -> String { "auth-\(authNo)" }
}

public enum FundAuthOrderStatus: String, Sendable {
    case authorized = "AUTHORIZED"
    case finish = "FINISH"
    case closed = "CLOSED"
}

/// One 资金操作流水 of an order: its freeze, each unfreeze, each payment.
public struct FundAuthOperation: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case freeze = "FREEZE"
        case unfreeze = "UNFREEZE"
        case pay = "PAY"
    }

    public var operationId: String
    public var authNo: String
    /// The merchant's request number; for a payment, the trade's out_trade_no.
    public var outRequestNo: String
    public var kind: Kind
    public var amount: Amount
    public var remark: String?
    public var createdAt: Date

    public init(operationId: String, authNo: String, outRequestNo: String, kind: Kind, amount: Amount, remark: String?, createdAt: Date) {
        self.operationId = operationId; self.authNo = authNo; self.outRequestNo = outRequestNo; self.kind = kind; self.amount = amount
        self.remark = remark; self.createdAt = createdAt
    }
}

/// A payment that takes its money from an order's hold: part of a ``TradeUpdate``.
public struct FundAuthPayment: Sendable {
    public var operation: FundAuthOperation
    /// auth_confirm_mode COMPLETE: the rest is unfrozen in the same transaction.
    public var voidRest: Bool

    public init(operation: FundAuthOperation, voidRest: Bool) { self.operation = operation; self.voidRest = voidRest }
}

/// The outcome of a fund authorisation change; nothing is written unless `changed`.
public enum FundAuthChange: Sendable, Equatable {
    case changed
    /// The out_order_no, or the operation's out_request_no, was taken meanwhile.
    case duplicate
    case refused(TransferResult)
    case released(PendingTransferResult)
    case paymentCodeUnusable
}

/// Fund authorisation orders and their operations.
public protocol FundAuthRepository: Sendable {
    /// In one transaction: holds the payer's money, stores the order and its FREEZE operation, uses
    /// up the payment code and queues the notifications.
    func insertFundAuthOrder(_ order: FundAuthOrder, freeze: FundAuthOperation, paymentCode: (code: String, at: Date),
                             notifications: [OutboxNotification]) async throws -> FundAuthChange
    func fundAuthOrder(authNo: String) async throws -> FundAuthOrder?
    func fundAuthOrder(partner: UserId, outOrderNo: String) async throws -> FundAuthOrder?
    /// The order's operations, oldest first.
    func fundAuthOperations(authNo: String) async throws -> [FundAuthOperation]
    /// In one transaction: releases `operation.amount` of the order's hold to the payer, stores the
    /// UNFREEZE operation and queues the notifications `notifications` builds from the order as it
    /// stands after the release (its totals exact, whatever committed meanwhile).
    func unfreeze(_ operation: FundAuthOperation,
                  notifications: @escaping @Sendable (FundAuthOrder) -> [OutboxNotification]) async throws -> FundAuthChange
}

/// Why a fund authorisation was refused: Alipay's sub_codes (no `ACQ.` prefix) and sub_msgs.
public enum FundAuthFailure: String, Error, Sendable, CaseIterable, BusinessFailure {
    case illegalArgument = "ILLEGAL_ARGUMENT"
    case uniqueViolation = "UNIQUE_VIOLATION"
    case payerUserStatusLimit = "PAYER_USER_STATUS_LIMIT"
    case paymentAuthCodeInvalid = "PAYMENT_AUTH_CODE_INVALID"
    case moneyNotEnough = "MONEY_NOT_ENOUGH"
    case orderAlreadyClosed = "ORDER_ALREADY_CLOSED"
    case orderAlreadyFinish = "ORDER_ALREADY_FINISH"
    case freezeAlreadySuccess = "FREEZE_ALREADY_SUCCESS"
    case payeeNotExist = "PAYEE_NOT_EXIST"
    case payerPayeeEqual = "PAYER_PAYEE_EQUAL"
    case authOrderNotExist = "AUTH_ORDER_NOT_EXIST"
    case authOperationNotExist = "AUTH_OPERATION_NOT_EXIST"
    case requestAmountExceed = "REQUEST_AMOUNT_EXCEED"
    case systemError = "SYSTEM_ERROR"

    public var subCode: String { rawValue }

    public var message: String {
        switch self {
        case .illegalArgument: "参数异常或参数缺失"
        case .uniqueViolation: "商户订单号重复或请求信息被篡改"
        case .payerUserStatusLimit: "顾客账户暂时无法支付"
        case .paymentAuthCodeInvalid: "获取顾客账户信息失败，请顾客刷新付款码后重新收款"
        case .moneyNotEnough: "顾客余额不足"
        case .orderAlreadyClosed: "授权订单已经关闭，无法再进行资金操作"
        case .orderAlreadyFinish: "授权订单已经完结，无法再进行资金操作"
        case .freezeAlreadySuccess: "授权订单已经冻结成功，请勿重复授权"
        case .payeeNotExist: "收款方账号不存在"
        case .payerPayeeEqual: "收付款方信息不能相同"
        case .authOrderNotExist: "授权订单不存在"
        case .authOperationNotExist: "支付宝资金操作流水不存在"
        case .requestAmountExceed: "请求解冻金额超限"
        case .systemError: "系统错误"
        }
    }

    /// Why no more money can move on an order in `status`, or `nil` while it is authorised.
    public static func settled(_ status: FundAuthOrderStatus) -> FundAuthFailure? {
        switch status {
        case .authorized: nil
        case .finish: .orderAlreadyFinish
        case .closed: .orderAlreadyClosed
        }
    }
}
