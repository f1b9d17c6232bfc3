import ZhifuProtocol

/// `alipay.trade.refund`.
public struct TradeRefundResponse: OpenAPIResponseModel, Equatable {
    public var tradeNo: String
    public var outTradeNo: String
    public var buyerLogonId: String?
    public var buyerUserId: String?
    /// `Y` when this call moved money; `N` for a repeat.
    public var fundChange: String
    /// The trade's refunded total.
    public var refundFee: Amount
    public var gmtRefundPay: String?
    public var sendBackFee: Amount?

    public init(tradeNo: String, outTradeNo: String, fundChange: String, refundFee: Amount) {
        self.tradeNo = tradeNo; self.outTradeNo = outTradeNo; self.fundChange = fundChange; self.refundFee = refundFee
    }
}

/// `alipay.trade.page.refund`.
public struct TradePageRefundResponse: OpenAPIResponseModel, Equatable {
    public var tradeNo: String
    public var outTradeNo: String
    public var outRequestNo: String
    public var refundAmount: Amount

    public init(tradeNo: String, outTradeNo: String, outRequestNo: String, refundAmount: Amount) {
        self.tradeNo = tradeNo; self.outTradeNo = outTradeNo; self.outRequestNo = outRequestNo; self.refundAmount = refundAmount
    }
}

/// `alipay.trade.refund.apply`.
public struct TradeRefundApplyResponse: OpenAPIResponseModel, Equatable {
    public var tradeNo: String
    public var outTradeNo: String
    public var outRequestNo: String
    public var refundAmount: Amount
    /// REFUND_PROCESSING, REFUND_SUCCESS or REFUND_FAIL.
    public var refundStatus: String

    public init(tradeNo: String, outTradeNo: String, outRequestNo: String, refundAmount: Amount, refundStatus: String) {
        self.tradeNo = tradeNo; self.outTradeNo = outTradeNo; self.outRequestNo = outRequestNo; self.refundAmount = refundAmount
        self.refundStatus = refundStatus
    }
}

/// `alipay.trade.fastpay.refund.query`: only the numbers when no such refund was made.
public struct TradeRefundQueryResponse: OpenAPIResponseModel, Equatable {
    public var tradeNo: String?
    public var outTradeNo: String?
    public var outRequestNo: String?
    public var totalAmount: Amount?
    public var refundAmount: Amount?
    /// REFUND_SUCCESS.
    public var refundStatus: String?
    public var gmtRefundPay: String?
    public var refundReason: String?

    public init(tradeNo: String?, outTradeNo: String?) { self.tradeNo = tradeNo; self.outTradeNo = outTradeNo }
}

/// `alipay.trade.cancel`.
public struct TradeCancelResponse: OpenAPIResponseModel, Equatable {
    public var tradeNo: String?
    public var outTradeNo: String?
    /// `N`: Zhifu's answer is final.
    public var retryFlag: String
    /// `close` or `refund`.
    public var action: String?
    /// When the cancel refunded a paid trade.
    public var gmtRefundPay: String?

    public init(tradeNo: String?, outTradeNo: String?, retryFlag: String, action: String?) {
        self.tradeNo = tradeNo; self.outTradeNo = outTradeNo; self.retryFlag = retryFlag; self.action = action
    }
}

/// `alipay.trade.order.settle`.
public struct TradeSettleResponse: OpenAPIResponseModel, Equatable {
    public var tradeNo: String
    /// 支付宝结算流水号: the same on a repeated request.
    public var settleNo: String?

    public init(tradeNo: String, settleNo: String?) { self.tradeNo = tradeNo; self.settleNo = settleNo }
}

/// `alipay.trade.orderinfo.sync`.
public struct TradeOrderinfoSyncResponse: OpenAPIResponseModel, Equatable {
    public var tradeNo: String
    public var outTradeNo: String?
    public var buyerUserId: String?

    public init(tradeNo: String, outTradeNo: String?, buyerUserId: String?) {
        self.tradeNo = tradeNo; self.outTradeNo = outTradeNo; self.buyerUserId = buyerUserId
    }
}

/// 待还垫资订单 (ArrearsOrderInfo): Zhifu never advances funds, so the list is always empty.
public struct WaitRepaymentOrderInfo: Codable, Sendable, Equatable {
    public var advanceOrderId: String
    public var alipayUserId: String
    public var origBizOrderId: String?
    public var bizProduct: String?
    public var waitRepaymentAmount: Amount

    public init(advanceOrderId: String, alipayUserId: String, waitRepaymentAmount: Amount) {
        self.advanceOrderId = advanceOrderId; self.alipayUserId = alipayUserId; self.waitRepaymentAmount = waitRepaymentAmount
    }
}

/// `alipay.trade.advance.consult`.
public struct TradeAdvanceConsultResponse: OpenAPIResponseModel, Equatable {
    /// A JSON boolean, as documented.
    public var referResult: Bool
    public var waitRepaymentAmount: Amount?
    public var waitRepaymentOrderCount: String?
    public var waitRepaymentOrderInfos: [WaitRepaymentOrderInfo]?

    public init(referResult: Bool) { self.referResult = referResult }
}
