import ZhifuProtocol

/// A verified notification (``NotificationVerifier``). Each keeps every parameter as received in
/// `parameters`, for fields not typed here.
public enum AlipayNotification: Sendable, Equatable {
    /// OpenAPI 异步通知: a trade changed state (paid, refunded, closed, finished).
    case tradeStatusSync(TradeStatusSync)
    /// MAPI `batch_trans_notify` (批量付款到支付宝账户, seed 000 §6.2).
    case batchTrans(BatchTransNotification)
    /// MAPI `batch_refund_notify` (即时到账批量退款有密, seed 001 §5.2).
    case batchRefund(BatchRefundNotification)
}

public struct TradeStatusSync: Sendable, Equatable {
    public var notifyId: String
    public var notifyTime: String
    public var appId: String
    public var tradeNo: String
    public var outTradeNo: String
    /// `TRADE_SUCCESS`, `TRADE_CLOSED`, `TRADE_FINISHED` (`WAIT_BUYER_PAY` only when enabled).
    public var tradeStatus: String
    public var totalAmount: Amount
    public var receiptAmount: Amount?
    public var buyerPayAmount: Amount?
    /// The trade's refunded total, on refund notifications.
    public var refundFee: Amount?
    /// The refund's `out_request_no`, on refund notifications.
    public var outBizNo: String?
    public var buyerId: String?
    public var buyerLogonId: String?
    public var sellerId: String?
    public var sellerEmail: String?
    public var subject: String?
    public var body: String?
    /// As the merchant sent it in biz_content.
    public var passbackParams: String?
    public var gmtCreate: String?
    public var gmtPayment: String?
    public var gmtRefund: String?
    public var gmtClose: String?
    public var parameters: Parameters

    init(_ f: Fields) throws(NotificationVerifier.Failure) {
        let p = f.parameters
        notifyId = try f.required("notify_id"); notifyTime = try f.required("notify_time"); appId = try f.required("app_id")
        tradeNo = try f.required("trade_no"); outTradeNo = try f.required("out_trade_no"); tradeStatus = try f.required("trade_status")
        guard let total = try f.amount("total_amount") else { throw .missing("total_amount") }
        totalAmount = total
        receiptAmount = try f.amount("receipt_amount"); buyerPayAmount = try f.amount("buyer_pay_amount"); refundFee = try f.amount("refund_fee")
        outBizNo = p["out_biz_no"]; buyerId = p["buyer_id"]; buyerLogonId = p["buyer_logon_id"]; sellerId = p["seller_id"]
        sellerEmail = p["seller_email"]; subject = p["subject"]; body = p["body"]; passbackParams = p["passback_params"]
        gmtCreate = p["gmt_create"]; gmtPayment = p["gmt_payment"]; gmtRefund = p["gmt_refund"]; gmtClose = p["gmt_close"]
        parameters = p
    }
}

public struct BatchTransNotification: Sendable, Equatable {
    public var notifyId: String
    public var notifyTime: String
    public var batchNo: String
    public var payUserId: String
    public var payUserName: String
    public var payAccountNo: String
    /// Paid records: 流水号^收款方账号^收款账号姓名^付款金额^成功标识(S)^成功原因(null)^支付宝内部流水号^完成时间.
    public var successDetails: [TransResultDetail]
    /// Records not paid, with the reason (seed 000 §6.2).
    public var failDetails: [TransResultDetail]
    public var parameters: Parameters

    init(_ f: Fields) throws(NotificationVerifier.Failure) {
        notifyId = try f.required("notify_id"); notifyTime = try f.required("notify_time"); batchNo = try f.required("batch_no")
        payUserId = try f.required("pay_user_id"); payUserName = try f.required("pay_user_name"); payAccountNo = try f.required("pay_account_no")
        do {
            successDetails = try TransResultDetail.parse(f.parameters["success_details"] ?? "")
            failDetails = try TransResultDetail.parse(f.parameters["fail_details"] ?? "")
        } catch {
            throw .invalid(error.record.map { "success_details/fail_details record \($0)" } ?? "success_details/fail_details")
        }
        parameters = f.parameters
    }
}

public struct BatchRefundNotification: Sendable, Equatable {
    public var notifyId: String
    public var notifyTime: String
    public var batchNo: String
    /// Records refunded successfully.
    public var successNum: Int
    /// 交易号^退款金额^处理结果[$退费账号^退费账户ID^退费金额^处理结果] per record.
    public var resultDetails: [RefundResultDetail]
    public var parameters: Parameters

    init(_ f: Fields) throws(NotificationVerifier.Failure) {
        notifyId = try f.required("notify_id"); notifyTime = try f.required("notify_time"); batchNo = try f.required("batch_no")
        guard let count = Int(try f.required("success_num")), count >= 0 else { throw .invalid("success_num") }
        successNum = count
        do { resultDetails = try RefundResultDetail.parse(f.parameters["result_details"] ?? "") } catch { throw .invalid("result_details") }
        parameters = f.parameters
    }
}
