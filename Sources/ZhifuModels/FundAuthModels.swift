import ZhifuProtocol

// Fund authorisation (预授权, seed 004's alipay.fund.auth.order.freeze and its companions), with
// the fields of alipay-sdk-python's `AlipayFundAuth*Model` / `*Response`. Lengths are Alipay's
// where documented; docs/fidelity.md says what Zhifu does with each field.

/// `alipay.fund.auth.order.freeze`: the cashier scans the buyer's payment code and freezes an amount.
public struct FundAuthOrderFreezeModel: BizContentModel, Equatable {
    /// The buyer's payment code.
    public var authCode: String
    /// `bar_code` (the only kind Zhifu's payment codes are).
    public var authCodeType: String
    public var outOrderNo: String
    public var outRequestNo: String
    public var orderTitle: String
    public var amount: Amount
    public var payeeUserId: String?
    public var payeeLogonId: String?
    /// `PRE_AUTH` (the default).
    public var productCode: String?
    /// 1m–15d: how long the buyer may take to confirm; Zhifu's freezes complete at once.
    public var payTimeout: String?
    public var timeoutExpress: String?
    /// JSON text; `merchantExt` is returned by detail.query.
    public var extraParam: String?
    public var transCurrency: String?
    public var settleCurrency: String?
    public var sceneCode: String?
    public var enablePayChannels: String?
    public var disablePayChannels: String?
    public var businessParams: String?
    public var identityParams: String?
    public var terminalParams: String?
    public var depositProductMode: String?
    public var postPayments: String?

    public init(authCode: String, outOrderNo: String, outRequestNo: String, orderTitle: String, amount: Amount, authCodeType: String = "bar_code") {
        self.authCode = authCode; self.authCodeType = authCodeType; self.outOrderNo = outOrderNo; self.outRequestNo = outRequestNo
        self.orderTitle = orderTitle; self.amount = amount
    }

    public static let maxLengths = [
        "auth_code": 64, "auth_code_type": 32, "out_order_no": 64, "out_request_no": 64, "order_title": 100, "payee_user_id": 32,
        "payee_logon_id": 100, "product_code": 32, "pay_timeout": 5, "timeout_express": 5, "extra_param": 300, "trans_currency": 8,
        "settle_currency": 8, "scene_code": 32, "enable_pay_channels": 1024, "disable_pay_channels": 1024, "business_params": 1024,
        "identity_params": 1024, "terminal_params": 1024, "deposit_product_mode": 32, "post_payments": 4 * 1024,
    ]
}

/// `alipay.fund.auth.order.unfreeze`: part or all of what is still frozen goes back to the buyer.
public struct FundAuthOrderUnfreezeModel: BizContentModel, Equatable {
    public var authNo: String
    public var outRequestNo: String
    public var amount: Amount
    public var remark: String
    public var extraParam: String?

    public init(authNo: String, outRequestNo: String, amount: Amount, remark: String) {
        self.authNo = authNo; self.outRequestNo = outRequestNo; self.amount = amount; self.remark = remark
    }

    public static let maxLengths = ["auth_no": 64, "out_request_no": 64, "remark": 100, "extra_param": 200]
}

/// `alipay.fund.auth.operation.detail.query`: (auth_no or out_order_no) and (operation_id or out_request_no).
public struct FundAuthOperationDetailQueryModel: BizContentModel, Equatable {
    public var authNo: String?
    public var outOrderNo: String?
    public var operationId: String?
    /// For a payment, the trade's out_trade_no.
    public var outRequestNo: String?
    /// FREEZE, UNFREEZE or PAY.
    public var operationType: String?
    public var queryOptions: String?

    public init(authNo: String? = nil, outOrderNo: String? = nil, operationId: String? = nil, outRequestNo: String? = nil, operationType: String? = nil) {
        self.authNo = authNo; self.outOrderNo = outOrderNo; self.operationId = operationId; self.outRequestNo = outRequestNo
        self.operationType = operationType
    }

    public static let maxLengths = ["auth_no": 64, "out_order_no": 64, "operation_id": 64, "out_request_no": 64, "operation_type": 16,
                                    "query_options": 1024]
}

/// `alipay.fund.auth.order.freeze`.
public struct FundAuthOrderFreezeResponse: OpenAPIResponseModel, Equatable {
    public var authNo: String
    public var outOrderNo: String
    public var operationId: String
    public var outRequestNo: String
    public var amount: Amount
    /// SUCCESS.
    public var status: String
    public var payerUserId: String?
    public var payerLogonId: String?
    public var gmtTrans: String?
    public var creditAmount: Amount?
    public var fundAmount: Amount?
    public var transCurrency: String?

    public init(authNo: String, outOrderNo: String, operationId: String, outRequestNo: String, amount: Amount, status: String) {
        self.authNo = authNo; self.outOrderNo = outOrderNo; self.operationId = operationId; self.outRequestNo = outRequestNo
        self.amount = amount; self.status = status
    }
}

/// `alipay.fund.auth.order.unfreeze`.
public struct FundAuthOrderUnfreezeResponse: OpenAPIResponseModel, Equatable {
    public var authNo: String
    public var outOrderNo: String
    public var operationId: String
    public var outRequestNo: String
    public var amount: Amount
    public var status: String
    public var gmtTrans: String?
    public var creditAmount: Amount?
    public var fundAmount: Amount?

    public init(authNo: String, outOrderNo: String, operationId: String, outRequestNo: String, amount: Amount, status: String) {
        self.authNo = authNo; self.outOrderNo = outOrderNo; self.operationId = operationId; self.outRequestNo = outRequestNo
        self.amount = amount; self.status = status
    }
}

/// `alipay.fund.auth.operation.detail.query`: the order's totals and one operation.
public struct FundAuthOperationDetailQueryResponse: OpenAPIResponseModel, Equatable {
    public var authNo: String
    public var outOrderNo: String
    /// AUTHORIZED, FINISH or CLOSED.
    public var orderStatus: String
    public var totalFreezeAmount: Amount
    public var restAmount: Amount
    public var totalPayAmount: Amount
    public var orderTitle: String?
    public var payerLogonId: String?
    public var payerUserId: String?
    public var extraParam: String?
    public var operationId: String
    public var outRequestNo: String
    public var amount: Amount
    /// FREEZE, UNFREEZE or PAY.
    public var operationType: String
    public var status: String
    public var remark: String?
    public var gmtCreate: String?
    public var gmtTrans: String?
    public var transCurrency: String?
    public var totalFreezeCreditAmount: Amount?
    public var totalFreezeFundAmount: Amount?
    public var totalPayCreditAmount: Amount?
    public var totalPayFundAmount: Amount?
    public var restCreditAmount: Amount?
    public var restFundAmount: Amount?
    public var creditAmount: Amount?
    public var fundAmount: Amount?

    public init(authNo: String, outOrderNo: String, orderStatus: String, totalFreezeAmount: Amount, restAmount: Amount, totalPayAmount: Amount,
                operationId: String, outRequestNo: String, amount: Amount, operationType: String, status: String) {
        self.authNo = authNo; self.outOrderNo = outOrderNo; self.orderStatus = orderStatus; self.totalFreezeAmount = totalFreezeAmount
        self.restAmount = restAmount; self.totalPayAmount = totalPayAmount; self.operationId = operationId; self.outRequestNo = outRequestNo
        self.amount = amount; self.operationType = operationType; self.status = status
    }
}
