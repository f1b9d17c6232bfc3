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
    /// `bptb_result_notify` (the file is done) or `bptb_unfreeze_notify` (the balance was short).
    case payoutFile(PayoutFileNotification)
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

/// Seed 002 §6: a batch-pay-to-bank file's notifications.
public struct PayoutFileNotification: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// 文件处理结果通知: every row is paid or bounced; fetch the tickets with `bptb_refund_file`.
        case result = "bptb_result_notify"
        /// 余额不足通知: the file waits until the balance covers it.
        case balanceShort = "bptb_unfreeze_notify"
    }

    public var kind: Kind
    public var notifyId: String
    public var notifyTime: String
    /// 文件提交日期 (yyyyMMdd): the `date` of `bptb_refund_file`.
    public var payDate: String
    /// `bptb_result_file` or `bptb_unfreeze_file`.
    public var flag: String
    public var fileName: String

    init(_ f: Fields) throws(NotificationVerifier.Failure) {
        guard let kind = Kind(rawValue: try f.required("notify_type")) else { throw .invalid("notify_type") }
        self.kind = kind
        notifyId = try f.required("notify_id"); notifyTime = try f.required("notify_time"); payDate = try f.required("pay_date")
        flag = try f.required("flag"); fileName = try f.required("file_name")
    }
}

/// Seed 002 §5: where `bptb_user_confirm` leaves the payer.
public struct PayoutReturn: Sendable, Equatable {
    public var fileName: String
    /// `is_success=T`.
    public var isSuccess: Bool
    /// USER_CONFIRM_SUCC, or the reason (seed 002 §10).
    public var resultCode: String
    public var partner: String

    init(_ f: Fields) throws(NotificationVerifier.Failure) {
        fileName = try f.required("file_name"); resultCode = try f.required("result_code"); partner = try f.required("partner")
        let flag = try f.required("is_success")
        guard flag == "T" || flag == "F" else { throw .invalid("is_success") }
        isSuccess = flag == "T"
    }
}
