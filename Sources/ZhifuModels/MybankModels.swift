import ZhifuProtocol

/// 网商全渠道收单交易商品信息 (BkPosGoodsInfo).
public struct MybankGoodsInfo: Codable, Sendable, Equatable {
    public var goodsName: String
    public var goodsPrice: Amount
    public init(goodsName: String, goodsPrice: Amount) { self.goodsName = goodsName; self.goodsPrice = goodsPrice }
}

/// `mybank.payment.trade.order.create` (网商银行全渠道收单业务订单创建), with alipay-sdk-python's fields.
public struct MybankPaymentTradeOrderCreateModel: BizContentModel, Equatable {
    public var partnerId: String
    public var outTradeNo: String
    public var reconRelatedNo: String
    public var pdCode: String
    public var evCode: String
    /// In fen, 1–100000000 (not yuan).
    public var totalAmount: String
    public var currencyCode: String
    public var goodsInfo: [MybankGoodsInfo]
    /// The seller's terminal id.
    public var sellerId: String
    /// `pay` or `refund`.
    public var payType: String
    /// `yyyy-MM-dd HH:mm:ss`.
    public var payDate: String
    public var remark: String?

    public init(partnerId: String, outTradeNo: String, reconRelatedNo: String, pdCode: String, evCode: String, totalAmount: String,
                currencyCode: String = "CNY", goodsInfo: [MybankGoodsInfo], sellerId: String, payType: String, payDate: String) {
        self.partnerId = partnerId; self.outTradeNo = outTradeNo; self.reconRelatedNo = reconRelatedNo; self.pdCode = pdCode; self.evCode = evCode
        self.totalAmount = totalAmount; self.currencyCode = currencyCode; self.goodsInfo = goodsInfo; self.sellerId = sellerId; self.payType = payType
        self.payDate = payDate
    }

    public static let maxLengths = ["partner_id": 32, "out_trade_no": 64, "recon_related_no": 64, "pd_code": 32, "ev_code": 32, "total_amount": 9,
                                    "currency_code": 16, "goods_info": 16 * 1024, "seller_id": 64, "pay_type": 8, "pay_date": 19, "remark": 256]
}

/// Its response has no members of its own: `code` 10000 is the answer.
public struct MybankPaymentTradeOrderCreateResponse: OpenAPIResponseModel, Equatable {
    public init() {}
}
