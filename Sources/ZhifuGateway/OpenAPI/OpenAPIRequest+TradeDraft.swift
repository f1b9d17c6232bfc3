import Foundation
import ZhifuCore
import ZhifuModels
import ZhifuProtocol

/// What every trade-creating method (create, pay, precreate, page.pay, wap.pay, app.pay) reads
/// from biz_content, checked once here with seed 004's rules.
extension OpenAPIRequest {
    /// total_amount's range in seed 004: [0.01, 100000000].
    static let amounts = Amount(fen: 1)...Amount(fen: 10_000_000_000)
    /// timeout_express's range in seed 004: 1m to 15d.
    static let timeoutSeconds: ClosedRange<Int64> = 60...(15 * 86_400)

    /// The business fields that identify a trade's content: the same out_trade_no with other
    /// values here is ACQ.CONTEXT_INCONSISTENT.
    static let fingerprintFields = ["out_trade_no", "total_amount", "discountable_amount", "undiscountable_amount", "subject", "body",
                                    "buyer_id", "buyer_logon_id", "seller_id", "trans_currency", "settle_currency"]

    func tradeDraft(_ order: TradeOrderModel, gateway: Gateway, productCode: String, defaultTimeoutSeconds: Int64 = 15 * 86_400,
                    quitURL: String? = nil) async throws -> TradeDraft {
        guard order.outTradeNo.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else { throw OpenAPIError.invalidParameter("out_trade_no") }
        let discountable = order.discountableAmount, undiscountable = order.undiscountableAmount
        let total: Amount
        if let given = order.totalAmount {
            if let discountable, let undiscountable, Amount(fen: discountable.fen + undiscountable.fen) != given {
                throw OpenAPIError.invalidParameter("total_amount must equal discountable_amount + undiscountable_amount")
            }
            total = given
        } else if let discountable, let undiscountable {
            total = Amount(fen: discountable.fen + undiscountable.fen)
        } else {
            throw OpenAPIError.missingParameter("total_amount")
        }
        guard Self.amounts.contains(total) else { throw TradeFailure.totalFeeExceed }
        if let discountable, discountable > total { throw OpenAPIError.invalidParameter("discountable_amount exceeds total_amount") }
        if let undiscountable, undiscountable > total { throw OpenAPIError.invalidParameter("undiscountable_amount exceeds total_amount") }

        var buyer: UserId?
        if let buyerId = order.buyerId {
            guard let id = UserId(buyerId), try await gateway.accounts.account(userId: id) != nil else { throw OpenAPIError.invalidParameter("buyer_id") }
            buyer = id
        } else if let logonId = order.buyerLogonId {
            // create / precreate may name the buyer by logon id: only that buyer can pay.
            guard let account = try await gateway.accounts.user(logonId: logonId) else { throw OpenAPIError.invalidParameter("buyer_logon_id") }
            buyer = account.userId
        }
        if let seller = order.sellerId, seller != partner.rawValue { throw OpenAPIError.invalidParameter("seller_id") }

        var details = TradeDetails()
        details.appId = app.appId
        details.authAppId = partner == app.partner ? nil : app.appId
        details.productCode = order.productCode ?? productCode
        details.method = parameters["method"] ?? ""
        details.charset = charset.rawValue
        details.signType = app.signType
        details.notifyURL = try url("notify_url")
        // seller_email goes into every notification; read only when there will be notifications.
        if details.notifyURL != nil { details.sellerEmail = try await gateway.accounts.account(userId: partner)?.logonId }
        // Face-to-face and in-app payments never send a browser back (no `…precreate.return`).
        details.returnURL = Self.browserMethods.contains(details.method) ? try url("return_url") : nil
        details.passbackParams = order.passbackParams
        // wap.pay's 用户付款中途退出返回商户网站的地址: the cashier's way back.
        if let quit = quitURL {
            guard quit.hasPrefix("http://") || quit.hasPrefix("https://") else { throw OpenAPIError.invalidParameter("quit_url") }
            details.quitURL = quit
        }
        details.body = order.body
        details.storeId = order.storeId
        details.operatorId = order.operatorId
        details.terminalId = order.terminalId
        details.discountableFen = discountable?.fen
        details.undiscountableFen = undiscountable?.fen
        try applyCurrencies(order, to: &details, total: total, rates: gateway.configuration.exchangeRates)

        let now = gateway.clock.now
        let expiresAt = try expiry(order, now: now, calendar: gateway.configuration.calendar, defaultSeconds: defaultTimeoutSeconds)
        let fingerprint = Hex.lowercase(Digest.sha256(Array(Self.fingerprintFields.map { "\($0)=\(biz[$0] ?? "")" }.joined(separator: "\n").utf8)))
        return TradeDraft(partner: partner, outTradeNo: order.outTradeNo, subject: order.subject, amount: total, buyer: buyer, expiresAt: expiresAt,
                          details: details, fingerprint: fingerprint)
    }

    /// The methods whose buyer comes in a browser and goes back to `return_url` after paying.
    static let browserMethods: Set<String> = ["alipay.trade.page.pay", "alipay.trade.wap.pay"]

    /// notify_url / return_url: common parameters, http(s) only, at most 256 characters.
    func url(_ name: String) throws(OpenAPIError) -> String? {
        guard let text = parameters.nonEmpty(name) else { return nil }
        guard text.count <= 256, text.hasPrefix("http://") || text.hasPrefix("https://") else { throw OpenAPIError.isvInvalidParameter }
        return text
    }

    /// `time_expire` ("yyyy-MM-dd HH:mm:ss", or "yyyy-MM-dd HH:mm" as wap.pay/app.pay document it) wins over `timeout_express` (1m–15d, or 1c for the
    /// end of today in CST); neither gives the method's default.
    func expiry(_ order: TradeOrderModel, now: Date, calendar: BusinessCalendar, defaultSeconds: Int64) throws(OpenAPIError) -> Date {
        if let timeExpire = order.timeExpire {
            let parsed = calendar.parseTimestamp(timeExpire) ?? (timeExpire.utf8.count == 16 ? calendar.parseTimestamp(timeExpire + ":00") : nil)
            guard let date = parsed, date > now else { throw OpenAPIError.invalidParameter("time_expire") }
            return date
        }
        guard let text = order.timeoutExpress else { return now.addingTimeInterval(TimeInterval(defaultSeconds)) }
        if text == "1c" {
            var gregorian = Calendar(identifier: .gregorian)
            gregorian.timeZone = calendar.timeZone
            return gregorian.date(byAdding: .day, value: 1, to: gregorian.startOfDay(for: now))!
        }
        guard let seconds = Self.relativeTimeoutSeconds(text) else { throw OpenAPIError.invalidParameter("timeout_express") }
        return now.addingTimeInterval(TimeInterval(seconds))
    }

    /// A relative timeout (`1m`–`15d` in whole minutes, hours or days) in seconds; `nil` when it is not one.
    static func relativeTimeoutSeconds(_ text: String) -> Int64? {
        guard let unit = text.last, text.count <= 6, text.dropLast().allSatisfy({ $0.isASCII && $0.isNumber }), let count = Int64(text.dropLast()) else {
            return nil
        }
        let seconds: Int64? = switch unit {
        case "m": count * 60
        case "h": count * 3_600
        case "d": count * 86_400
        default: nil
        }
        guard let seconds, timeoutSeconds.contains(seconds) else { return nil }
        return seconds
    }

    /// trans_currency prices the trade in another currency: the buyer pays CNY at the configured
    /// rate. settle_currency is reported back (settle_amount) at the same rates.
    func applyCurrencies(_ order: TradeOrderModel, to details: inout TradeDetails, total: Amount, rates: [String: ExchangeRate]) throws {
        let trans = order.transCurrency, settle = order.settleCurrency
        func rate(_ currency: String, _ field: String) throws(OpenAPIError) -> ExchangeRate {
            if currency == "CNY" { return .one }
            guard let rate = rates[currency] else { throw OpenAPIError.invalidParameter(field) }
            return rate
        }
        if let trans, trans != "CNY" {
            let transRate = try rate(trans, "trans_currency")
            guard let pay = transRate.convert(total), pay.fen > 0 else { throw TradeFailure.totalFeeExceed }
            details.transCurrency = trans
            details.transPayRate = transRate.description
            details.payFen = pay.fen
        }
        if let settle {
            _ = try rate(settle, "settle_currency")
            details.settleCurrency = settle
        }
    }
}

extension Trade {
    /// The currency members of seed 004's responses, when the trade has any.
    func currencies(rates: [String: ExchangeRate]) -> TradeCurrencies {
        var currencies = TradeCurrencies()
        if let trans = details.transCurrency, let rate = details.transPayRate {
            currencies.transCurrency = trans
            currencies.payCurrency = "CNY"
            currencies.payAmount = payAmount
            currencies.transPayRate = rate
        }
        if let settle = details.settleCurrency {
            let transRate = details.transCurrency.flatMap { rates[$0] } ?? .one
            let settleRate = settle == "CNY" ? .one : rates[settle] ?? .one
            let settleTrans = transRate.relative(to: settleRate)
            currencies.settleCurrency = settle
            currencies.settleAmount = settleTrans.convert(amount) ?? amount
            currencies.settleTransRate = settleTrans.description
        }
        return currencies
    }
}
