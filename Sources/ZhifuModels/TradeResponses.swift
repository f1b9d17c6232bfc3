import ZhifuProtocol

// The response object of each `alipay.trade.*` method (seed 004, alipay-sdk-python's
// `Alipay<Method>Response`), in Alipay's member order: the gateway encodes them, ZhifuSDK decodes
// them. Money is text with two decimals; absent fields are left out.

/// `create` and `close`: the trade's two numbers.
public struct TradeNumbers: OpenAPIResponseModel, Equatable {
    public var outTradeNo: String?
    public var tradeNo: String?

    public init(tradeNo: String?, outTradeNo: String?) { self.tradeNo = tradeNo; self.outTradeNo = outTradeNo }
}

/// 交易支付使用的资金渠道 (TradeFundBill).
public struct TradeFundBill: Codable, Sendable, Equatable {
    public var fundChannel: String
    public var amount: Amount

    public init(fundChannel: String, amount: Amount) { self.fundChannel = fundChannel; self.amount = amount }
}

/// The currency members of pay and query when the trade has a `trans_currency` or `settle_currency`.
public struct TradeCurrencies: Codable, Sendable, Equatable {
    public var transCurrency: String?
    public var payCurrency: String?
    public var payAmount: Amount?
    public var transPayRate: String?
    public var settleCurrency: String?
    public var settleAmount: Amount?
    public var settleTransRate: String?

    public init() {}
}

/// `alipay.trade.pay`.
public struct TradePayResponse: OpenAPIResponseModel, Equatable {
    public var tradeNo: String
    public var outTradeNo: String
    public var buyerLogonId: String?
    public var currencies = TradeCurrencies()
    public var totalAmount: Amount
    public var receiptAmount: Amount?
    public var buyerPayAmount: Amount?
    public var pointAmount: Amount?
    public var invoiceAmount: Amount?
    public var gmtPayment: String?
    public var fundBillList: [TradeFundBill]?
    public var buyerUserId: String?
    public var buyerUserType: String?

    public init(tradeNo: String, outTradeNo: String, totalAmount: Amount) {
        self.tradeNo = tradeNo; self.outTradeNo = outTradeNo; self.totalAmount = totalAmount
    }

    enum CodingKeys: String, CodingKey {
        case tradeNo, outTradeNo, buyerLogonId, totalAmount, receiptAmount, buyerPayAmount, pointAmount, invoiceAmount, gmtPayment
        case fundBillList, buyerUserId, buyerUserType
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tradeNo = try c.decode(String.self, forKey: .tradeNo)
        outTradeNo = try c.decode(String.self, forKey: .outTradeNo)
        buyerLogonId = try c.decodeIfPresent(String.self, forKey: .buyerLogonId)
        currencies = try TradeCurrencies(from: decoder)
        totalAmount = try c.decode(Amount.self, forKey: .totalAmount)
        receiptAmount = try c.decodeIfPresent(Amount.self, forKey: .receiptAmount)
        buyerPayAmount = try c.decodeIfPresent(Amount.self, forKey: .buyerPayAmount)
        pointAmount = try c.decodeIfPresent(Amount.self, forKey: .pointAmount)
        invoiceAmount = try c.decodeIfPresent(Amount.self, forKey: .invoiceAmount)
        gmtPayment = try c.decodeIfPresent(String.self, forKey: .gmtPayment)
        fundBillList = try c.decodeIfPresent([TradeFundBill].self, forKey: .fundBillList)
        buyerUserId = try c.decodeIfPresent(String.self, forKey: .buyerUserId)
        buyerUserType = try c.decodeIfPresent(String.self, forKey: .buyerUserType)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tradeNo, forKey: .tradeNo)
        try c.encode(outTradeNo, forKey: .outTradeNo)
        try c.encodeIfPresent(buyerLogonId, forKey: .buyerLogonId)
        try currencies.encode(to: encoder)
        try c.encode(totalAmount, forKey: .totalAmount)
        try c.encodeIfPresent(receiptAmount, forKey: .receiptAmount)
        try c.encodeIfPresent(buyerPayAmount, forKey: .buyerPayAmount)
        try c.encodeIfPresent(pointAmount, forKey: .pointAmount)
        try c.encodeIfPresent(invoiceAmount, forKey: .invoiceAmount)
        try c.encodeIfPresent(gmtPayment, forKey: .gmtPayment)
        try c.encodeIfPresent(fundBillList, forKey: .fundBillList)
        try c.encodeIfPresent(buyerUserId, forKey: .buyerUserId)
        try c.encodeIfPresent(buyerUserType, forKey: .buyerUserType)
    }
}

/// `alipay.trade.precreate`.
public struct TradePrecreateResponse: OpenAPIResponseModel, Equatable {
    public var outTradeNo: String
    /// The URL to encode as the QR code the buyer scans.
    public var qrCode: String

    public init(outTradeNo: String, qrCode: String) { self.outTradeNo = outTradeNo; self.qrCode = qrCode }
}

/// `alipay.trade.query`.
public struct TradeQueryResponse: OpenAPIResponseModel, Equatable {
    public var tradeNo: String
    public var outTradeNo: String
    public var buyerLogonId: String?
    public var buyerUserId: String?
    public var buyerUserType: String?
    /// WAIT_BUYER_PAY, TRADE_CLOSED, TRADE_SUCCESS, TRADE_FINISHED.
    public var tradeStatus: String
    public var totalAmount: Amount
    public var subject: String?
    public var body: String?
    public var passbackParams: String?
    public var currencies = TradeCurrencies()
    public var buyerPayAmount: Amount?
    public var pointAmount: Amount?
    public var invoiceAmount: Amount?
    public var sendPayDate: String?
    public var receiptAmount: Amount?
    public var fundBillList: [TradeFundBill]?
    public var storeId: String?
    public var terminalId: String?

    public init(tradeNo: String, outTradeNo: String, tradeStatus: String, totalAmount: Amount) {
        self.tradeNo = tradeNo; self.outTradeNo = outTradeNo; self.tradeStatus = tradeStatus; self.totalAmount = totalAmount
    }

    enum CodingKeys: String, CodingKey {
        case tradeNo, outTradeNo, buyerLogonId, buyerUserId, buyerUserType, tradeStatus, totalAmount, subject, body, passbackParams
        case buyerPayAmount, pointAmount, invoiceAmount, sendPayDate, receiptAmount, fundBillList, storeId, terminalId
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tradeNo = try c.decode(String.self, forKey: .tradeNo)
        outTradeNo = try c.decode(String.self, forKey: .outTradeNo)
        buyerLogonId = try c.decodeIfPresent(String.self, forKey: .buyerLogonId)
        buyerUserId = try c.decodeIfPresent(String.self, forKey: .buyerUserId)
        buyerUserType = try c.decodeIfPresent(String.self, forKey: .buyerUserType)
        tradeStatus = try c.decode(String.self, forKey: .tradeStatus)
        totalAmount = try c.decode(Amount.self, forKey: .totalAmount)
        subject = try c.decodeIfPresent(String.self, forKey: .subject)
        body = try c.decodeIfPresent(String.self, forKey: .body)
        passbackParams = try c.decodeIfPresent(String.self, forKey: .passbackParams)
        currencies = try TradeCurrencies(from: decoder)
        buyerPayAmount = try c.decodeIfPresent(Amount.self, forKey: .buyerPayAmount)
        pointAmount = try c.decodeIfPresent(Amount.self, forKey: .pointAmount)
        invoiceAmount = try c.decodeIfPresent(Amount.self, forKey: .invoiceAmount)
        sendPayDate = try c.decodeIfPresent(String.self, forKey: .sendPayDate)
        receiptAmount = try c.decodeIfPresent(Amount.self, forKey: .receiptAmount)
        fundBillList = try c.decodeIfPresent([TradeFundBill].self, forKey: .fundBillList)
        storeId = try c.decodeIfPresent(String.self, forKey: .storeId)
        terminalId = try c.decodeIfPresent(String.self, forKey: .terminalId)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tradeNo, forKey: .tradeNo)
        try c.encode(outTradeNo, forKey: .outTradeNo)
        try c.encodeIfPresent(buyerLogonId, forKey: .buyerLogonId)
        try c.encodeIfPresent(buyerUserId, forKey: .buyerUserId)
        try c.encodeIfPresent(buyerUserType, forKey: .buyerUserType)
        try c.encode(tradeStatus, forKey: .tradeStatus)
        try c.encode(totalAmount, forKey: .totalAmount)
        try c.encodeIfPresent(subject, forKey: .subject)
        try c.encodeIfPresent(body, forKey: .body)
        try c.encodeIfPresent(passbackParams, forKey: .passbackParams)
        try currencies.encode(to: encoder)
        try c.encodeIfPresent(buyerPayAmount, forKey: .buyerPayAmount)
        try c.encodeIfPresent(pointAmount, forKey: .pointAmount)
        try c.encodeIfPresent(invoiceAmount, forKey: .invoiceAmount)
        try c.encodeIfPresent(sendPayDate, forKey: .sendPayDate)
        try c.encodeIfPresent(receiptAmount, forKey: .receiptAmount)
        try c.encodeIfPresent(fundBillList, forKey: .fundBillList)
        try c.encodeIfPresent(storeId, forKey: .storeId)
        try c.encodeIfPresent(terminalId, forKey: .terminalId)
    }
}
