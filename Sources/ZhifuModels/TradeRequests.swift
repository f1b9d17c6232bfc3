import ZhifuProtocol

// The biz_content of each `alipay.trade.*` method (seed 004, with the fields of alipay-sdk-python's
// `Alipay<Method>Model`): the gateway decodes them, ZhifuSDK sends them. Lengths are Alipay's.
// docs/fidelity.md says, field by field, what Zhifu does with each.

/// The order of `create`, `precreate`, `page.pay`, `wap.pay` and `app.pay` (and, with the payment
/// code, `pay`): what the buyer pays for and how long the offer stands.
public struct TradeOrderModel: BizContentModel, Equatable {
    public var outTradeNo: String
    /// Optional only when discountable + undiscountable give it.
    public var totalAmount: Amount?
    public var subject: String
    public var body: String?
    public var productCode: String?
    public var buyerId: String?
    public var buyerLogonId: String?
    public var sellerId: String?
    /// `1m`–`15d`, or `1c` (the end of today).
    public var timeoutExpress: String?
    /// `yyyy-MM-dd HH:mm:ss` or `yyyy-MM-dd HH:mm`; wins over timeout_express.
    public var timeExpire: String?
    /// Returned unchanged in every notification of the trade.
    public var passbackParams: String?
    public var storeId: String?
    public var operatorId: String?
    public var terminalId: String?
    public var discountableAmount: Amount?
    public var undiscountableAmount: Amount?
    public var transCurrency: String?
    public var settleCurrency: String?
    public var goodsDetail: [GoodsDetail]?
    public var extendParams: ExtendParams?

    public init(outTradeNo: String, totalAmount: Amount?, subject: String) {
        self.outTradeNo = outTradeNo; self.totalAmount = totalAmount; self.subject = subject
    }

    public static let maxLengths = [
        "out_trade_no": 64, "subject": 256, "body": 128, "product_code": 64, "buyer_id": 28, "buyer_logon_id": 100, "seller_id": 28,
        "timeout_express": 6, "time_expire": 32, "passback_params": 512, "store_id": 32, "operator_id": 28, "terminal_id": 32,
        "trans_currency": 8, "settle_currency": 8, "goods_detail": 16 * 1024, "extend_params": 4 * 1024,
    ]
}

/// 订单包含的商品列表信息 (GoodsDetail).
public struct GoodsDetail: Codable, Sendable, Equatable {
    public var goodsId: String
    public var goodsName: String
    public var quantity: Int
    public var price: Amount
    public var alipayGoodsId: String?
    public var goodsCategory: String?
    public var categoriesTree: String?
    public var body: String?
    public var showUrl: String?

    public init(goodsId: String, goodsName: String, quantity: Int, price: Amount) {
        self.goodsId = goodsId; self.goodsName = goodsName; self.quantity = quantity; self.price = price
    }
}

/// 业务扩展参数 (ExtendParams): accepted and kept out of the ledger (Zhifu has no instalments or
/// service-provider rebates).
public struct ExtendParams: Codable, Sendable, Equatable {
    public var sysServiceProviderId: String?
    public var hbFqNum: String?
    public var hbFqSellerPercent: String?
    public var specifiedSellerName: String?
    public var cardType: String?

    public init() {}
}

/// A method whose biz_content is the order and a few members of its own, side by side at the top
/// level (pay, page.pay, wap.pay): both parts read and write the same object.
public protocol TradeOrderExtension: BizContentModel {
    associatedtype Extras: Codable, Sendable, Equatable
    var order: TradeOrderModel { get }
    var extras: Extras { get }
    init(order: TradeOrderModel, extras: Extras)
}

extension TradeOrderExtension {
    public init(from decoder: any Decoder) throws {
        self.init(order: try TradeOrderModel(from: decoder), extras: try Extras(from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        try order.encode(to: encoder)
        try extras.encode(to: encoder)
    }
}

/// `alipay.trade.pay`: the order and the buyer's payment code, or (product_code PRE_AUTH) the
/// fund authorisation it is paid from.
public struct TradePayModel: TradeOrderExtension, Equatable {
    public struct Extras: Codable, Sendable, Equatable {
        /// `bar_code` or `wave_code`; required with a payment code.
        public var scene: String?
        /// The buyer's payment code: 25–30 followed by digits; not sent with `auth_no`.
        public var authCode: String?
        /// The fund authorisation (预授权) this payment takes its money from.
        public var authNo: String?
        /// `NOT_COMPLETE` (default: the rest stays frozen) or `COMPLETE` (the rest is unfrozen).
        public var authConfirmMode: String?

        public init(scene: String? = nil, authCode: String? = nil, authNo: String? = nil, authConfirmMode: String? = nil) {
            self.scene = scene; self.authCode = authCode; self.authNo = authNo; self.authConfirmMode = authConfirmMode
        }
    }

    public var order: TradeOrderModel
    public var extras: Extras

    public init(order: TradeOrderModel, extras: Extras) { self.order = order; self.extras = extras }
    public init(order: TradeOrderModel, scene: String = "bar_code", authCode: String) {
        self.init(order: order, extras: Extras(scene: scene, authCode: authCode))
    }

    public static let maxLengths = TradeOrderModel.maxLengths.merging(["scene": 32, "auth_code": 32, "auth_no": 64, "auth_confirm_mode": 32]) { $1 }
}

/// `alipay.trade.page.pay`: the order and how the cashier is shown.
public struct TradePagePayModel: TradeOrderExtension, Equatable {
    public struct Extras: Codable, Sendable, Equatable {
        /// 0, 1, 3, 4 embed the order's QR code in the merchant's page; 2 or none go to the cashier.
        public var qrPayMode: String?
        /// With qr_pay_mode 4: the QR code's width in pixels.
        public var qrcodeWidth: Int?
    }

    public var order: TradeOrderModel
    public var extras: Extras

    public init(order: TradeOrderModel, extras: Extras) { self.order = order; self.extras = extras }
    public init(order: TradeOrderModel, qrPayMode: String? = nil, qrcodeWidth: Int? = nil) {
        self.init(order: order, extras: Extras(qrPayMode: qrPayMode, qrcodeWidth: qrcodeWidth))
    }

    public static let maxLengths = TradeOrderModel.maxLengths.merging(["qr_pay_mode": 1, "qrcode_width": 4]) { $1 }
}

/// `alipay.trade.wap.pay`: the order and the cashier's way back.
public struct TradeWapPayModel: TradeOrderExtension, Equatable {
    public struct Extras: Codable, Sendable, Equatable {
        /// 用户付款中途退出返回商户网站的地址.
        public var quitUrl: String?
    }

    public var order: TradeOrderModel
    public var extras: Extras

    public init(order: TradeOrderModel, extras: Extras) { self.order = order; self.extras = extras }
    public init(order: TradeOrderModel, quitUrl: String? = nil) { self.init(order: order, extras: Extras(quitUrl: quitUrl)) }

    public static let maxLengths = TradeOrderModel.maxLengths.merging(["quit_url": 400]) { $1 }
}

/// `query`, `close`, `cancel`: a trade by trade_no (wins) or out_trade_no.
public struct TradeReference: BizContentModel, Equatable {
    public var tradeNo: String?
    public var outTradeNo: String?

    public init(tradeNo: String? = nil, outTradeNo: String? = nil) { self.tradeNo = tradeNo; self.outTradeNo = outTradeNo }

    public static let maxLengths = ["trade_no": 64, "out_trade_no": 64]
}

/// `alipay.trade.refund` and `alipay.trade.page.refund`.
public struct TradeRefundModel: BizContentModel, Equatable {
    public var tradeNo: String?
    public var outTradeNo: String?
    public var refundAmount: Amount
    /// Needed for partial refunds; without it the refund is named by out_trade_no (page.refund requires it).
    public var outRequestNo: String?
    public var refundReason: String?

    public init(tradeNo: String? = nil, outTradeNo: String? = nil, refundAmount: Amount, outRequestNo: String? = nil, refundReason: String? = nil) {
        self.tradeNo = tradeNo; self.outTradeNo = outTradeNo; self.refundAmount = refundAmount
        self.outRequestNo = outRequestNo; self.refundReason = refundReason
    }

    public static let maxLengths = ["trade_no": 64, "out_trade_no": 64, "out_request_no": 64, "refund_reason": 256]
}

/// `alipay.trade.refund.apply` (异步退款): like refund, but out_request_no is required and the
/// refund may finish later.
public struct TradeRefundApplyModel: BizContentModel, Equatable {
    public var tradeNo: String?
    public var outTradeNo: String?
    public var refundAmount: Amount
    public var outRequestNo: String
    public var refundReason: String?
    public var operatorId: String?
    public var storeId: String?
    public var terminalId: String?
    /// JSON text: accepted; the only funding channel is the balance.
    public var refundFundDetails: String?
    public var extendParams: String?

    public init(tradeNo: String? = nil, outTradeNo: String? = nil, refundAmount: Amount, outRequestNo: String, refundReason: String? = nil) {
        self.tradeNo = tradeNo; self.outTradeNo = outTradeNo; self.refundAmount = refundAmount
        self.outRequestNo = outRequestNo; self.refundReason = refundReason
    }

    public static let maxLengths = ["trade_no": 64, "out_trade_no": 64, "out_request_no": 64, "refund_reason": 256, "operator_id": 30,
                                    "store_id": 32, "terminal_id": 32, "refund_fund_details": 4 * 1024, "extend_params": 4 * 1024]
}

/// `alipay.trade.fastpay.refund.query`.
public struct TradeRefundQueryModel: BizContentModel, Equatable {
    public var tradeNo: String?
    public var outTradeNo: String?
    public var outRequestNo: String

    public init(tradeNo: String? = nil, outTradeNo: String? = nil, outRequestNo: String) {
        self.tradeNo = tradeNo; self.outTradeNo = outTradeNo; self.outRequestNo = outRequestNo
    }

    public static let maxLengths = ["trade_no": 64, "out_trade_no": 64, "out_request_no": 64]
}

/// 分账明细 (OpenApiRoyaltyDetailInfoPojo): part of a paid trade to another account.
public struct RoyaltyDetail: Codable, Sendable, Equatable {
    public var transIn: String
    public var amount: Amount
    /// `userId` (the default, a 2088… id) or `loginName`; Zhifu takes user ids.
    public var transInType: String?
    public var desc: String?

    public init(transIn: String, amount: Amount, desc: String? = nil) { self.transIn = transIn; self.amount = amount; self.desc = desc }
}

/// `alipay.trade.order.settle`.
public struct TradeSettleModel: BizContentModel, Equatable {
    public var outRequestNo: String
    public var tradeNo: String
    public var royaltyParameters: [RoyaltyDetail]

    public init(outRequestNo: String, tradeNo: String, royaltyParameters: [RoyaltyDetail]) {
        self.outRequestNo = outRequestNo; self.tradeNo = tradeNo; self.royaltyParameters = royaltyParameters
    }

    public static let maxLengths = ["out_request_no": 64, "trade_no": 64, "royalty_parameters": 16 * 1024]
}

/// `alipay.trade.orderinfo.sync`.
public struct TradeOrderinfoSyncModel: BizContentModel, Equatable {
    public var tradeNo: String?
    public var outTradeNo: String?
    public var outRequestNo: String
    /// CREDIT_AUTH, CREDIT_DEDUCT, …
    public var bizType: String

    public init(tradeNo: String, outRequestNo: String, bizType: String) {
        self.tradeNo = tradeNo; self.outRequestNo = outRequestNo; self.bizType = bizType
    }

    public static let maxLengths = ["trade_no": 64, "out_trade_no": 64, "out_request_no": 64, "biz_type": 32]
}

/// `alipay.trade.advance.consult`.
public struct TradeAdvanceConsultModel: BizContentModel, Equatable {
    public var alipayUserId: String

    public init(alipayUserId: String) { self.alipayUserId = alipayUserId }

    public static let maxLengths = ["alipay_user_id": 28]
}
