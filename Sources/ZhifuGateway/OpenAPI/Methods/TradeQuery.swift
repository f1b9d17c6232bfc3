import Foundation
import ZhifuCore
import ZhifuProtocol

/// `alipay.trade.query` (统一收单线下交易查询): a trade's state by `trade_no` or `out_trade_no`.
struct TradeQuery: OpenAPIMethod {
    let methodName = "alipay.trade.query"

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> [(String, OpenAPIJSON)] {
        let trade = try await request.trade(gateway)
        var fields: [(String, OpenAPIJSON)] = [("trade_no", .string(trade.tradeNo)), ("out_trade_no", .string(trade.outTradeNo))]
        if let buyer = trade.buyer, let account = try await gateway.accounts.account(userId: buyer) {
            fields += [("buyer_logon_id", .string(TradeService.masked(account.logonId))), ("buyer_user_id", .string(buyer.rawValue)),
                       ("buyer_user_type", .string("PRIVATE"))]
        }
        fields += [("trade_status", .string(trade.status.rawValue)), ("total_amount", .string(trade.amount.description)),
                   ("subject", .string(trade.subject))]
        if let body = trade.details.body { fields.append(("body", .string(body))) }
        if let passback = trade.details.passbackParams { fields.append(("passback_params", .string(passback))) }
        fields += trade.currencyFields(rates: gateway.configuration.exchangeRates)
        if let paidAt = trade.details.paidAt {
            let paid = trade.payAmount.description
            fields += [("buyer_pay_amount", .string(paid)), ("point_amount", .string("0.00")), ("invoice_amount", .string(paid)),
                       ("send_pay_date", .string(gateway.configuration.calendar.timestamp(paidAt))), ("receipt_amount", .string(paid)),
                       ("fund_bill_list", Self.fundBillList(trade))]
        }
        if let storeId = trade.details.storeId { fields.append(("store_id", .string(storeId))) }
        if let terminalId = trade.details.terminalId { fields.append(("terminal_id", .string(terminalId))) }
        return fields
    }

    /// TradeFundBill: everything is paid from the buyer's balance (ALIPAYACCOUNT).
    static func fundBillList(_ trade: Trade) -> OpenAPIJSON {
        .array([.object([("fund_channel", .string("ALIPAYACCOUNT")), ("amount", .string(trade.payAmount.description))])])
    }

    /// alipay.trade.pay's response fields (seed 004) for a paid trade.
    static func paymentFields(_ trade: Trade, gateway: Gateway) async throws -> [(String, OpenAPIJSON)] {
        let paid = trade.payAmount.description
        var fields: [(String, OpenAPIJSON)] = [("trade_no", .string(trade.tradeNo)), ("out_trade_no", .string(trade.outTradeNo))]
        if let buyer = trade.buyer, let account = try await gateway.accounts.account(userId: buyer) {
            fields.append(("buyer_logon_id", .string(TradeService.masked(account.logonId))))
        }
        fields += trade.currencyFields(rates: gateway.configuration.exchangeRates)
        fields += [("total_amount", .string(trade.amount.description)), ("receipt_amount", .string(paid)), ("buyer_pay_amount", .string(paid)),
                   ("point_amount", .string("0.00")), ("invoice_amount", .string(paid)),
                   ("gmt_payment", .string(gateway.configuration.calendar.timestamp(trade.details.paidAt ?? trade.createdAt))),
                   ("fund_bill_list", fundBillList(trade)), ("buyer_user_id", .string(trade.buyer?.rawValue ?? "")),
                   ("buyer_user_type", .string("PRIVATE"))]
        return fields
    }
}
