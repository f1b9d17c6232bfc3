/// The error codes of the MAPI (`service=`) interfaces, exactly as the seeds spell them.
///
/// Each case's doc comment is its meaning from the seed that lists it first (seed 000's access and
/// system codes, then the service tables of seeds 002, 001 and 003). The raw value is the wire code.
public enum MAPIError: String, Error, Sendable, CaseIterable {
    /// 表示进行数字验签失败（seed 000）
    case illegalSign = "ILLEGAL_SIGN"
    /// 表示使用的动态 MD5 密钥存在问题（seed 000）
    case illegalDynMd5Key = "ILLEGAL_DYN_MD5_KEY"
    /// 表示加密错误（seed 000）
    case illegalEncrypt = "ILLEGAL_ENCRYPT"
    /// 表示传递的参数无法通过规则校验（seed 000）
    case illegalArgument = "ILLEGAL_ARGUMENT"
    /// 表示访问的接口名称不存在或者不正确（seed 000）
    case illegalService = "ILLEGAL_SERVICE"
    /// 表示无法找到该客户信息（seed 000）
    case illegalUser = "ILLEGAL_USER"
    /// 表示请求中的商户信息不存在（seed 000）
    case illegalPartner = "ILLEGAL_PARTNER"
    /// 请求的接口信息不存在（seed 000）
    case illegalExterface = "ILLEGAL_EXTERFACE"
    /// 商户访问的接口信息不存在（seed 000）
    case illegalPartnerExterface = "ILLEGAL_PARTNER_EXTERFACE"
    /// 未找到匹配的密钥配置（seed 000）
    case illegalSecurityProfile = "ILLEGAL_SECURITY_PROFILE"
    /// 代理的 ID 不正确（seed 000）
    case illegalAgent = "ILLEGAL_AGENT"
    /// 签名类型不正确或者为空时报出该异常（seed 000）
    case illegalSignType = "ILLEGAL_SIGN_TYPE"
    /// 字符集不支持或者不合字符集规范（seed 000）
    case illegalCharset = "ILLEGAL_CHARSET"
    /// 该 IP 地址的系统无法访问该接口（seed 000）
    case illegalClientIp = "ILLEGAL_CLIENT_IP"
    /// 无权访问该接口（seed 000）
    case hasNoPrivilege = "HAS_NO_PRIVILEGE"
    /// 不支持的摘要类型或者摘要的类型为空（seed 000）
    case illegalDigestTyp = "ILLEGAL_DIGEST_TYP"
    /// 摘要检查不正确,无法通过文件摘要检查（seed 000）
    case illegalDigest = "ILLEGAL_DIGEST"
    /// 文件的格式检查不正确（seed 000）
    case illegalFileFormat = "ILLEGAL_FILE_FORMAT"
    /// 不支持该编码类型（seed 000）
    case illegalEncoding = "ILLEGAL_ENCODING"
    /// 接口已关闭（seed 000）
    case exterfaceIsClosed = "EXTERFACE_IS_CLOSED"
    /// 非法的网站请求来源（seed 000）
    case illegalRequestReferer = "ILLEGAL_REQUEST_REFERER"
    /// 防钓鱼检查确认非法时间戳,检验不通过（seed 000）
    case illegalAntiPhishingKey = "ILLEGAL_ANTI_PHISHING_KEY"
    /// 防钓鱼 IP 检查失败或者为空（seed 000）
    case illegalExterInvokeIp = "ILLEGAL_EXTER_INVOKE_IP"
    /// 防钓鱼检查时间超时（seed 000）
    case antiPhishingKeyTimeout = "ANTI_PHISHING_KEY_TIMEOUT"
    /// 支付宝系统错误（seed 000）
    case systemError = "SYSTEM_ERROR"
    /// session 超时（seed 000）
    case sessionTimeout = "SESSION_TIMEOUT"
    /// 错误的 target_service（seed 000）
    case illegalTargetService = "ILLEGAL_TARGET_SERVICE"
    /// partner 不允许访问该类型的系统（seed 000）
    case illegalAccessSwitchSystem = "ILLEGAL_ACCESS_SWITCH_SYSTEM"
    /// 切换系统异常（seed 000）
    case illegalSwitchSystem = "ILLEGAL_SWITCH_SYSTEM"
    /// 查询信息为空（seed 002）
    case queryResultIsNull = "QUERY_RESULT_IS_NULL"
    /// 提交的 email 用户不存在（seed 002）
    case userNotExist = "USER_NOT_EXIST"
    /// 该批次的所有明细校验全部失败（seed 002）
    case detailValidatedFail = "DETAIL_VALIDATED_FAIL"
    /// 批次已复核成功，不要重复复核（seed 002）
    case userConfirmSucc = "USER_CONFIRM_SUCC"
    /// 查询待复核的文件不存在（seed 002）
    case fileNotExist = "FILE_NOT_EXIST"
    /// 付款账户和所填 email 不一致（seed 002）
    case accountNotConsistent = "ACCOUNT_NOT_CONSISTENT"
    /// 您的支付密码错误, 请重新输入（seed 002）
    case userPassError = "USER_PASS_ERROR"
    /// email 账户被冻结（seed 002）
    case userBlockStatus = "USER_BLOCK_STATUS"
    /// 摘要类型不正确（seed 002）
    case illegalDigestType = "ILLEGAL_DIGEST_TYPE"
    /// 总比数大于 1000（seed 001）
    case batchNumExceedLimit = "BATCH_NUM_EXCEED_LIMIT"
    /// 错误的退款时间（seed 001）
    case refundDateError = "REFUND_DATE_ERROR"
    /// 传入的总笔数格式错误（seed 001）
    case batchNumError = "BATCH_NUM_ERROR"
    /// 传入的退款条数不等于数据集解析出的退款条数（seed 001）
    case batchNumNotEqualTotal = "BATCH_NUM_NOT_EQUAL_TOTAL"
    /// 单笔退款明细超出限制（seed 001）
    case singleDetailDataExceedLimit = "SINGLE_DETAIL_DATA_EXCEED_LIMIT"
    /// 不是当前卖家的交易（seed 001）
    case notThisSellerTrade = "NOT_THIS_SELLER_TRADE"
    /// 同一批退款中存在两条相同的退款记录（seed 001）
    case dublTradeNoInSameBatch = "DUBL_TRADE_NO_IN_SAME_BATCH"
    /// 重复的批次号（seed 001）
    case duplicateBatchNo = "DUPLICATE_BATCH_NO"
    /// 交易状态不允许退款（seed 001）
    case tradeStatusError = "TRADE_STATUS_ERROR"
    /// 批次号格式错误（seed 001）
    case batchNoFormatError = "BATCH_NO_FORMAT_ERROR"
    /// 卖家信息不存在（seed 001）
    case sellerInfoNotExist = "SELLER_INFO_NOT_EXIST"
    /// 平台商未签署协议（seed 001）
    case partnerNotSignProtocol = "PARTNER_NOT_SIGN_PROTOCOL"
    /// 退款明细非本合作伙伴的交易（seed 001）
    case notThisPartnersTrade = "NOT_THIS_PARTNERS_TRADE"
    /// 数据集参数格式错误（seed 001）
    case detailDataFormatError = "DETAIL_DATA_FORMAT_ERROR"
    /// 有密接口不允许退分润（seed 001）
    case pwdRefundNotAllowRoyalty = "PWD_REFUND_NOT_ALLOW_ROYALTY"
    /// 退票面价金额不合法（seed 001）
    case nanhangRefundChargeAmountError = "NANHANG_REFUND_CHARGE_AMOUNT_ERROR"
    /// 退款金额不合法（seed 001）
    case refundAmountNotValid = "REFUND_AMOUNT_NOT_VALID"
    /// 交易类型不允许退交易（seed 001）
    case tradeProductTypeNotAllowRefund = "TRADE_PRODUCT_TYPE_NOT_ALLOW_REFUND"
    /// 退款票面价不能大于支付票面价（seed 001）
    case resultFaceAmountNotValid = "RESULT_FACE_AMOUNT_NOT_VALID"
    /// 退收费金额不合法（seed 001）
    case refundChargeFeeError = "REFUND_CHARGE_FEE_ERROR"
    /// 退收费失败（seed 001）
    case reasonRefundChargeErr = "REASON_REFUND_CHARGE_ERR"
    /// 退收费金额错误（seed 001）
    case resultAmountNotValid = "RESULT_AMOUNT_NOT_VALID"
    /// 账号无效（seed 001）
    case resultAccountNoNotValid = "RESULT_ACCOUNT_NO_NOT_VALID"
    /// 退款金额错误（seed 001）
    case reasonTradeRefundFeeErr = "REASON_TRADE_REFUND_FEE_ERR"
    /// 已退款金额错误（seed 001）
    case reasonHasRefundFeeNotMatch = "REASON_HAS_REFUND_FEE_NOT_MATCH"
    /// 账户状态无效（seed 001）
    case txnResultAccountStatusNotValid = "TXN_RESULT_ACCOUNT_STATUS_NOT_VALID"
    /// 账户余额不足（seed 001）
    case txnResultAccountBalanceNotEnough = "TXN_RESULT_ACCOUNT_BALANCE_NOT_ENOUGH"
    /// 红包无法部分退款（seed 001）
    case reasonRefundAmountLessThanCouponFee = "REASON_REFUND_AMOUNT_LESS_THAN_COUPON_FEE"
    /// 退款记录状态错误（seed 001）
    case batchRefundStatusError = "BATCH_REFUND_STATUS_ERROR"
    /// 批量退款后数据检查错误（seed 001）
    case batchRefundDataError = "BATCH_REFUND_DATA_ERROR"
    /// 不存在退交易，但是退收费和退分润失败（seed 001）
    case refundTradeFailed = "REFUND_TRADE_FAILED"
    /// 退款失败（该结果码只会出现在做意外数据恢复时，找不到结果码的情况）（seed 001）
    case refundFail = "REFUND_FAIL"
    /// 非常抱歉,您没有签约相关产品!（seed 003）
    case bizProductIllegal = "BIZ_PRODUCT_ILLEGAL"
    /// 抱歉,接口请求超时（seed 003）
    case partnerSessionTimeout = "PARTNER_SESSION_TIMEOUT"
    /// 抱歉,你操作的商户与接口请求不匹配（seed 003）
    case partnerNotMatch = "PARTNER_NOT_MATCH"
    /// 超出最大访问限制（seed 003）
    case maxVisitLimit = "MAX_VISIT_LIMIT"
    /// 商户未签约该产品（seed 003）
    case noSignProduct = "NO_SIGN_PRODUCT"

    /// The Chinese meaning shown on error pages.
    public var meaning: String {
        switch self {
        case .illegalSign: "表示进行数字验签失败"
        case .illegalDynMd5Key: "表示使用的动态 MD5 密钥存在问题"
        case .illegalEncrypt: "表示加密错误"
        case .illegalArgument: "表示传递的参数无法通过规则校验"
        case .illegalService: "表示访问的接口名称不存在或者不正确"
        case .illegalUser: "表示无法找到该客户信息"
        case .illegalPartner: "表示请求中的商户信息不存在"
        case .illegalExterface: "请求的接口信息不存在"
        case .illegalPartnerExterface: "商户访问的接口信息不存在"
        case .illegalSecurityProfile: "未找到匹配的密钥配置"
        case .illegalAgent: "代理的 ID 不正确"
        case .illegalSignType: "签名类型不正确或者为空时报出该异常"
        case .illegalCharset: "字符集不支持或者不合字符集规范"
        case .illegalClientIp: "该 IP 地址的系统无法访问该接口"
        case .hasNoPrivilege: "无权访问该接口"
        case .illegalDigestTyp: "不支持的摘要类型或者摘要的类型为空"
        case .illegalDigest: "摘要检查不正确,无法通过文件摘要检查"
        case .illegalFileFormat: "文件的格式检查不正确"
        case .illegalEncoding: "不支持该编码类型"
        case .exterfaceIsClosed: "接口已关闭"
        case .illegalRequestReferer: "非法的网站请求来源"
        case .illegalAntiPhishingKey: "防钓鱼检查确认非法时间戳,检验不通过"
        case .illegalExterInvokeIp: "防钓鱼 IP 检查失败或者为空"
        case .antiPhishingKeyTimeout: "防钓鱼检查时间超时"
        case .systemError: "支付宝系统错误"
        case .sessionTimeout: "session 超时"
        case .illegalTargetService: "错误的 target_service"
        case .illegalAccessSwitchSystem: "partner 不允许访问该类型的系统"
        case .illegalSwitchSystem: "切换系统异常"
        case .queryResultIsNull: "查询信息为空"
        case .userNotExist: "提交的 email 用户不存在"
        case .detailValidatedFail: "该批次的所有明细校验全部失败"
        case .userConfirmSucc: "批次已复核成功，不要重复复核"
        case .fileNotExist: "查询待复核的文件不存在"
        case .accountNotConsistent: "付款账户和所填 email 不一致"
        case .userPassError: "您的支付密码错误, 请重新输入"
        case .userBlockStatus: "email 账户被冻结"
        case .illegalDigestType: "摘要类型不正确"
        case .batchNumExceedLimit: "总比数大于 1000"
        case .refundDateError: "错误的退款时间"
        case .batchNumError: "传入的总笔数格式错误"
        case .batchNumNotEqualTotal: "传入的退款条数不等于数据集解析出的退款条数"
        case .singleDetailDataExceedLimit: "单笔退款明细超出限制"
        case .notThisSellerTrade: "不是当前卖家的交易"
        case .dublTradeNoInSameBatch: "同一批退款中存在两条相同的退款记录"
        case .duplicateBatchNo: "重复的批次号"
        case .tradeStatusError: "交易状态不允许退款"
        case .batchNoFormatError: "批次号格式错误"
        case .sellerInfoNotExist: "卖家信息不存在"
        case .partnerNotSignProtocol: "平台商未签署协议"
        case .notThisPartnersTrade: "退款明细非本合作伙伴的交易"
        case .detailDataFormatError: "数据集参数格式错误"
        case .pwdRefundNotAllowRoyalty: "有密接口不允许退分润"
        case .nanhangRefundChargeAmountError: "退票面价金额不合法"
        case .refundAmountNotValid: "退款金额不合法"
        case .tradeProductTypeNotAllowRefund: "交易类型不允许退交易"
        case .resultFaceAmountNotValid: "退款票面价不能大于支付票面价"
        case .refundChargeFeeError: "退收费金额不合法"
        case .reasonRefundChargeErr: "退收费失败"
        case .resultAmountNotValid: "退收费金额错误"
        case .resultAccountNoNotValid: "账号无效"
        case .reasonTradeRefundFeeErr: "退款金额错误"
        case .reasonHasRefundFeeNotMatch: "已退款金额错误"
        case .txnResultAccountStatusNotValid: "账户状态无效"
        case .txnResultAccountBalanceNotEnough: "账户余额不足"
        case .reasonRefundAmountLessThanCouponFee: "红包无法部分退款"
        case .batchRefundStatusError: "退款记录状态错误"
        case .batchRefundDataError: "批量退款后数据检查错误"
        case .refundTradeFailed: "不存在退交易，但是退收费和退分润失败"
        case .refundFail: "退款失败（该结果码只会出现在做意外数据恢复时，找不到结果码的情况）"
        case .bizProductIllegal: "非常抱歉,您没有签约相关产品!"
        case .partnerSessionTimeout: "抱歉,接口请求超时"
        case .partnerNotMatch: "抱歉,你操作的商户与接口请求不匹配"
        case .maxVisitLimit: "超出最大访问限制"
        case .noSignProduct: "商户未签约该产品"
        }
    }
}
