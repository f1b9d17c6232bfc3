import ZhifuProtocol

/// 业务扩展参数 of a Huabei settlement (ExtraParams).
public struct HuabeiExtendParams: Codable, Sendable, Equatable {
    /// `yyyyMMddHHmmss-yyyyMMddHHmmss`.
    public var period: String?
    /// JSON text: the merchant's totals for the period.
    public var periodSummaryInfo: String?
    /// USER_CANCEL_QUIT or SETTLE_APPLY_QUIT.
    public var quitType: String?
    /// Required with PERIOD_SETTLE.
    public var withholdIndex: String?

    public init() {}
}

/// `alipay.pcredit.huabei.auth.settle.apply` (花呗先享结算申请), with alipay-sdk-python's fields.
public struct HuabeiAuthSettleApplyModel: BizContentModel, Equatable {
    public var outRequestNo: String
    public var agreementNo: String
    public var payAmount: Amount
    public var alipayUserId: String?
    public var openId: String?
    public var sellerId: String?
    /// MERCHANT_SETTLE (default), QUIT_SETTLE or PERIOD_SETTLE.
    public var actionType: String?
    /// `true` (default) or `false`: whether MERCHANT_SETTLE ends the agreement.
    public var needTerminated: String?
    public var extendParams: HuabeiExtendParams?

    public init(outRequestNo: String, agreementNo: String, payAmount: Amount, alipayUserId: String?) {
        self.outRequestNo = outRequestNo; self.agreementNo = agreementNo; self.payAmount = payAmount; self.alipayUserId = alipayUserId
    }

    public static let maxLengths = ["out_request_no": 64, "agreement_no": 64, "alipay_user_id": 32, "open_id": 128, "seller_id": 32,
                                    "action_type": 32, "need_terminated": 5, "extend_params": 4 * 1024]
}

/// `alipay.pcredit.huabei.auth.settle.apply`.
public struct HuabeiAuthSettleApplyResponse: OpenAPIResponseModel, Equatable {
    public var outRequestNo: String
    /// Only when the merchant's period totals differ from Alipay's (not simulated).
    public var failReason: String?

    public init(outRequestNo: String) { self.outRequestNo = outRequestNo }
}
