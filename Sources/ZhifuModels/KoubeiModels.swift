import ZhifuProtocol

// Koubei item orders and code-merchant tickets (seed 004's koubei.trade.*), with the fields of
// alipay-sdk-python's `Koubei*Model` / `*Response` (itemorder.refund and order.precreate from the
// official .NET SDK, which still had them). Quantities in responses are text, as Alipay writes them.

/// 购买商品信息 (ItemOrderDetail).
public struct KoubeiItemOrderDetail: Codable, Sendable, Equatable {
    public var skuId: String
    public var originalPrice: Amount
    public var price: Amount
    public var quantity: Int

    public init(skuId: String, originalPrice: Amount, price: Amount, quantity: Int) {
        self.skuId = skuId; self.originalPrice = originalPrice; self.price = price; self.quantity = quantity
    }
}

/// `koubei.trade.itemorder.buy`.
public struct KoubeiItemorderBuyModel: BizContentModel, Equatable {
    public var outOrderNo: String
    public var subject: String
    /// `ONLINE_TRADE_PAY`.
    public var bizProduct: String
    public var bizScene: String
    public var shopId: String
    public var buyerId: String
    /// Must equal Σ price × quantity.
    public var totalAmount: Amount
    public var itemOrderDetails: [KoubeiItemOrderDetail]
    /// 1m–30m (default 3m): how long the buyer has to pay.
    public var timeout: String?
    public var promoParams: String?

    public init(outOrderNo: String, subject: String, bizProduct: String = "ONLINE_TRADE_PAY", bizScene: String, shopId: String, buyerId: String,
                totalAmount: Amount, itemOrderDetails: [KoubeiItemOrderDetail]) {
        self.outOrderNo = outOrderNo; self.subject = subject; self.bizProduct = bizProduct; self.bizScene = bizScene; self.shopId = shopId
        self.buyerId = buyerId; self.totalAmount = totalAmount; self.itemOrderDetails = itemOrderDetails
    }

    public static let maxLengths = ["out_order_no": 64, "subject": 256, "biz_product": 32, "biz_scene": 32, "shop_id": 64, "buyer_id": 32,
                                    "item_order_details": 16 * 1024, "timeout": 5, "promo_params": 2 * 1024]
}

/// `koubei.trade.itemorder.query`.
public struct KoubeiItemorderQueryModel: BizContentModel, Equatable {
    public var orderNo: String
    public init(orderNo: String) { self.orderNo = orderNo }
    public static let maxLengths = ["order_no": 64]
}

/// 退货明细 (RefundInfo).
public struct KoubeiRefundInfo: Codable, Sendable, Equatable {
    public var itemOrderNo: String
    public var amount: Amount
    public init(itemOrderNo: String, amount: Amount) { self.itemOrderNo = itemOrderNo; self.amount = amount }
}

/// `koubei.trade.itemorder.refund`.
public struct KoubeiItemorderRefundModel: BizContentModel, Equatable {
    public var orderNo: String
    public var outRequestNo: String
    public var refundInfos: [KoubeiRefundInfo]
    public var reason: String?

    public init(orderNo: String, outRequestNo: String, refundInfos: [KoubeiRefundInfo], reason: String? = nil) {
        self.orderNo = orderNo; self.outRequestNo = outRequestNo; self.refundInfos = refundInfos; self.reason = reason
    }

    public static let maxLengths = ["order_no": 64, "out_request_no": 64, "refund_infos": 16 * 1024, "reason": 256]
}

/// 码 (KbIsvMaCode): a code and how many uses it is good for.
public struct KoubeiIsvMaCode: Codable, Sendable, Equatable {
    public var code: String
    public var num: String
    public init(code: String, num: String) { self.code = code; self.num = num }
}

/// `koubei.trade.ticket.ticketcode.send`.
public struct KoubeiTicketcodeSendModel: BizContentModel, Equatable {
    public var requestId: String
    public var orderNo: String
    public var sendOrderNo: String
    public var sendToken: String
    public var isvMaList: [KoubeiIsvMaCode]
    /// `yyyy-MM-dd HH:mm:ss`.
    public var validStart: String?
    public var validEnd: String?

    public init(requestId: String, orderNo: String, sendOrderNo: String, sendToken: String, isvMaList: [KoubeiIsvMaCode]) {
        self.requestId = requestId; self.orderNo = orderNo; self.sendOrderNo = sendOrderNo; self.sendToken = sendToken; self.isvMaList = isvMaList
    }

    public static let maxLengths = ["request_id": 64, "order_no": 64, "send_order_no": 64, "send_token": 128, "isv_ma_list": 16 * 1024,
                                    "valid_start": 19, "valid_end": 19]
}

/// `koubei.trade.ticket.ticketcode.query`.
public struct KoubeiTicketcodeQueryModel: BizContentModel, Equatable {
    public var ticketCode: String
    public var shopId: String
    public init(ticketCode: String, shopId: String) { self.ticketCode = ticketCode; self.shopId = shopId }
    public static let maxLengths = ["ticket_code": 32, "shop_id": 64]
}

/// `koubei.trade.ticket.ticketcode.delay`.
public struct KoubeiTicketcodeDelayModel: BizContentModel, Equatable {
    public var requestId: String
    public var orderNo: String
    public var ticketCode: String
    /// `yyyy-MM-dd HH:mm:ss` (or `yyyyMMdd HHmmss`).
    public var endDate: String
    /// `INTERNAL_CODE` or `EXTERNAL_CODE`.
    public var codeType: String?

    public init(requestId: String, orderNo: String, ticketCode: String, endDate: String, codeType: String? = "EXTERNAL_CODE") {
        self.requestId = requestId; self.orderNo = orderNo; self.ticketCode = ticketCode; self.endDate = endDate; self.codeType = codeType
    }

    public static let maxLengths = ["request_id": 64, "order_no": 64, "ticket_code": 32, "end_date": 19, "code_type": 16]
}

/// `koubei.trade.ticket.ticketcode.cancel` (撤销核销).
public struct KoubeiTicketcodeCancelModel: BizContentModel, Equatable {
    public var requestId: String
    /// The request number of the redemption to undo.
    public var requestBizNo: String
    public var ticketCode: String
    public var quantity: String?
    public var orderNo: String?
    public var codeType: String?

    public init(requestId: String, requestBizNo: String, ticketCode: String, quantity: String? = nil, orderNo: String? = nil, codeType: String? = nil) {
        self.requestId = requestId; self.requestBizNo = requestBizNo; self.ticketCode = ticketCode; self.quantity = quantity; self.orderNo = orderNo
        self.codeType = codeType
    }

    public static let maxLengths = ["request_id": 64, "request_biz_no": 64, "ticket_code": 32, "quantity": 4, "order_no": 64, "code_type": 16]
}

/// `koubei.trade.itemorder.buy`.
public struct KoubeiItemorderBuyResponse: OpenAPIResponseModel, Equatable {
    public var orderNo: String
    public var tradeNo: String
    public var cashierOrderId: String
    public init(orderNo: String, tradeNo: String, cashierOrderId: String) { self.orderNo = orderNo; self.tradeNo = tradeNo; self.cashierOrderId = cashierOrderId }
}

/// 商品信息 (ItemOrderVO).
public struct KoubeiItemOrderVO: Codable, Sendable, Equatable {
    public var itemOrderNo: String
    public var skuId: String
    public var price: Amount
    public var quantity: String
    public var status: String
    public var merchantFund: Amount?
    public var platformFund: Amount?

    public init(itemOrderNo: String, skuId: String, price: Amount, quantity: String, status: String) {
        self.itemOrderNo = itemOrderNo; self.skuId = skuId; self.price = price; self.quantity = quantity; self.status = status
    }
}

/// `koubei.trade.itemorder.query`.
public struct KoubeiItemorderQueryResponse: OpenAPIResponseModel, Equatable {
    public var orderNo: String
    public var outOrderNo: String
    public var partnerId: String
    public var tradeNo: String?
    /// WAIT_PAY, CLOSE, SUCCESS or FINISH.
    public var status: String
    public var buyerId: String
    public var bizProduct: String
    public var gmtCreate: String
    public var sellerId: String?
    public var gmtModified: String?
    public var gmtPayment: String?
    public var totalAmount: Amount
    public var discountAmount: Amount?
    public var realPayAmount: Amount?
    public var deliverSellerRealAmount: Amount?
    public var itemOrderVo: [KoubeiItemOrderVO]

    public init(orderNo: String, outOrderNo: String, partnerId: String, status: String, buyerId: String, bizProduct: String, gmtCreate: String,
                totalAmount: Amount, itemOrderVo: [KoubeiItemOrderVO]) {
        self.orderNo = orderNo; self.outOrderNo = outOrderNo; self.partnerId = partnerId; self.status = status; self.buyerId = buyerId
        self.bizProduct = bizProduct; self.gmtCreate = gmtCreate; self.totalAmount = totalAmount; self.itemOrderVo = itemOrderVo
    }
}

/// `koubei.trade.itemorder.refund`.
public struct KoubeiItemorderRefundResponse: OpenAPIResponseModel, Equatable {
    public var orderNo: String
    public var outRequestNo: String
    public var realRefundAmount: Amount
    public init(orderNo: String, outRequestNo: String, realRefundAmount: Amount) {
        self.orderNo = orderNo; self.outRequestNo = outRequestNo; self.realRefundAmount = realRefundAmount
    }
}

/// `ticketcode.send`, `.delay` and `.cancel`: `biz_code` BIZ_ALREADY_SUCCESS for a request seen before.
public struct KoubeiTicketcodeResponse: OpenAPIResponseModel, Equatable {
    public var requestId: String
    public var bizCode: String?
    public init(requestId: String, bizCode: String?) { self.requestId = requestId; self.bizCode = bizCode }
}

/// 凭证流水 (TicketTransInfo).
public struct KoubeiTicketTransInfo: Codable, Sendable, Equatable {
    public var ticketTransId: String
    /// SEND, USE, CANCEL or DELAY.
    public var ticketTransType: String
    public var quantity: String
    public var createTime: String
    public var lastModifyTime: String

    public init(ticketTransId: String, ticketTransType: String, quantity: String, createTime: String, lastModifyTime: String) {
        self.ticketTransId = ticketTransId; self.ticketTransType = ticketTransType; self.quantity = quantity; self.createTime = createTime
        self.lastModifyTime = lastModifyTime
    }
}

/// `koubei.trade.ticket.ticketcode.query`.
public struct KoubeiTicketcodeQueryResponse: OpenAPIResponseModel, Equatable {
    public var ticketCode: String
    public var ticketStatus: String
    public var ticketStatusDesc: String
    public var orderNo: String
    public var itemName: String?
    public var originalPrice: Amount?
    public var currentPrice: Amount?
    public var effectDate: String
    public var expireDate: String
    public var timeCards: String
    public var totalQuantity: String
    public var availableQuantity: String
    public var ticketTransInfoList: [KoubeiTicketTransInfo]

    public init(ticketCode: String, ticketStatus: String, ticketStatusDesc: String, orderNo: String, effectDate: String, expireDate: String,
                timeCards: String, totalQuantity: String, availableQuantity: String, ticketTransInfoList: [KoubeiTicketTransInfo]) {
        self.ticketCode = ticketCode; self.ticketStatus = ticketStatus; self.ticketStatusDesc = ticketStatusDesc; self.orderNo = orderNo
        self.effectDate = effectDate; self.expireDate = expireDate; self.timeCards = timeCards; self.totalQuantity = totalQuantity
        self.availableQuantity = availableQuantity; self.ticketTransInfoList = ticketTransInfoList
    }
}

/// `koubei.trade.order.precreate` (口碑订单预下单): biz_type POST_ORDER_PAY (点餐后付) needs
/// out_order_no and shop_id.
public struct KoubeiOrderPrecreateModel: BizContentModel, Equatable {
    public var requestId: String
    public var bizType: String
    public var outOrderNo: String?
    public var shopId: String?

    public init(requestId: String, bizType: String = "POST_ORDER_PAY", outOrderNo: String?, shopId: String?) {
        self.requestId = requestId; self.bizType = bizType; self.outOrderNo = outOrderNo; self.shopId = shopId
    }

    public static let maxLengths = ["request_id": 64, "biz_type": 32, "out_order_no": 64, "shop_id": 64]
}

/// `koubei.trade.order.precreate`.
public struct KoubeiOrderPrecreateResponse: OpenAPIResponseModel, Equatable {
    public var orderNo: String
    public var qrCode: String
    public init(orderNo: String, qrCode: String) { self.orderNo = orderNo; self.qrCode = qrCode }
}
