import Foundation
import ZhifuProtocol

/// A refusal the gateway answers with 40004 Business Failed, its sub_code and sub_msg.
public protocol BusinessFailure: Error {
    var subCode: String { get }
    var message: String { get }
}

/// Why a trade operation was refused: the `ACQ.*` sub_code Alipay answers with, and its sub_msg.
public enum TradeFailure: String, Error, Sendable, CaseIterable, BusinessFailure {
    case tradeNotExist = "ACQ.TRADE_NOT_EXIST"
    case tradeStatusError = "ACQ.TRADE_STATUS_ERROR"
    case tradeHasSuccess = "ACQ.TRADE_HAS_SUCCESS"
    case tradeHasClose = "ACQ.TRADE_HAS_CLOSE"
    case tradeHasFinished = "ACQ.TRADE_HAS_FINISHED"
    case tradeNotAllowRefund = "ACQ.TRADE_NOT_ALLOW_REFUND"
    case contextInconsistent = "ACQ.CONTEXT_INCONSISTENT"
    case buyerBalanceNotEnough = "ACQ.BUYER_BALANCE_NOT_ENOUGH"
    case sellerBalanceNotEnough = "ACQ.SELLER_BALANCE_NOT_ENOUGH"
    case paymentAuthCodeInvalid = "ACQ.PAYMENT_AUTH_CODE_INVALID"
    case buyerEnableStatusForbid = "ACQ.BUYER_ENABLE_STATUS_FORBID"
    case buyerSellerEqual = "ACQ.BUYER_SELLER_EQUAL"
    case refundAmtNotEqualTotal = "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"
    case allocAmountValidateError = "ACQ.ALLOC_AMOUNT_VALIDATE_ERROR"
    case totalFeeExceed = "ACQ.TOTAL_FEE_EXCEED"
    case systemError = "ACQ.SYSTEM_ERROR"
    // Payments from a fund authorisation (product_code PRE_AUTH).
    case authAmountNotEnough = "ACQ.AUTH_AMOUNT_NOT_ENOUGH"
    case authNoError = "ACQ.AUTH_NO_ERROR"
    case authOrderHasClosed = "ACQ.AUTH_ORDER_HAS_CLOSED"
    case authOrderHasFinished = "ACQ.AUTH_ORDER_HAS_FINISHED"
    case preAuthProdCodeInconsistent = "ACQ.PRE_AUTH_PROD_CODE_INCONSISTENT"

    public var subCode: String { rawValue }

    /// Why a trade in `status` cannot be paid, or `nil` when it can (WAIT_BUYER_PAY).
    public static func unpayable(_ status: TradeStatus) -> TradeFailure? {
        switch status {
        case .waitBuyerPay: nil
        case .tradeSuccess: .tradeHasSuccess
        case .tradeFinished: .tradeHasFinished
        case .tradeClosed: .tradeHasClose
        }
    }

    public var message: String {
        switch self {
        case .tradeNotExist: "交易不存在"
        case .tradeStatusError: "交易状态不合法"
        case .tradeHasSuccess: "交易已被支付"
        case .tradeHasClose: "交易已经关闭"
        case .tradeHasFinished: "交易已经完结"
        case .tradeNotAllowRefund: "当前交易不允许退款"
        case .contextInconsistent: "交易信息被篡改"
        case .buyerBalanceNotEnough: "买家余额不足"
        case .sellerBalanceNotEnough: "卖家余额不足"
        case .paymentAuthCodeInvalid: "支付失败，获取顾客账户信息失败，请顾客刷新付款码后重新收款"
        case .buyerEnableStatusForbid: "买家状态非法"
        case .buyerSellerEqual: "买卖家不能相同"
        case .refundAmtNotEqualTotal: "退款金额超限"
        case .allocAmountValidateError: "分账金额超过最大可分账金额"
        case .totalFeeExceed: "订单金额超过限额"
        case .systemError: "系统错误"
        case .authAmountNotEnough: "授权金额不足"
        case .authNoError: "授权号错误"
        case .authOrderHasClosed: "预授权订单已关闭"
        case .authOrderHasFinished: "预授权订单已经完结"
        case .preAuthProdCodeInconsistent: "预授权产品码不一致"
        }
    }
}

/// What `alipay.trade.cancel` did: the response's `action`.
public enum CancelAction: String, Sendable {
    /// The trade was unpaid and is closed.
    case close
    /// The trade was paid; it is refunded in full and closed.
    case refund
}
