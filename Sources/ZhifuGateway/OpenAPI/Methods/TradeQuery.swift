import Foundation
import ZhifuCore
import ZhifuModels
import ZhifuProtocol

/// `alipay.trade.query` (统一收单线下交易查询): a trade's state by `trade_no` or `out_trade_no`.
struct TradeQuery: OpenAPIMethod {
    let methodName = "alipay.trade.query"

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> any OpenAPIResponseModel {
        let reference = try request.model(TradeReference.self)
        let trade = try await request.trade(gateway, tradeNo: reference.tradeNo, outTradeNo: reference.outTradeNo)
        var response = TradeQueryResponse(tradeNo: trade.tradeNo, outTradeNo: trade.outTradeNo, tradeStatus: trade.status.rawValue, totalAmount: trade.amount)
        if let buyer = trade.buyer, let account = try await gateway.accounts.account(userId: buyer) {
            response.buyerLogonId = TradeService.masked(account.logonId)
            response.buyerUserId = buyer.rawValue
            response.buyerUserType = "PRIVATE"
        }
        response.subject = trade.subject
        response.body = trade.details.body
        response.passbackParams = trade.details.passbackParams
        response.currencies = trade.currencies(rates: gateway.configuration.exchangeRates)
        if let paidAt = trade.details.paidAt {
            let paid = trade.payAmount
            response.buyerPayAmount = paid
            response.pointAmount = .zero
            response.invoiceAmount = paid
            response.sendPayDate = gateway.configuration.calendar.timestamp(paidAt)
            response.receiptAmount = paid
            response.fundBillList = Self.fundBillList(trade)
        }
        response.storeId = trade.details.storeId
        response.terminalId = trade.details.terminalId
        return response
    }

    /// TradeFundBill: everything is paid from the buyer's balance (ALIPAYACCOUNT).
    static func fundBillList(_ trade: Trade) -> [TradeFundBill] {
        [TradeFundBill(fundChannel: "ALIPAYACCOUNT", amount: trade.payAmount)]
    }

    /// alipay.trade.pay's response (seed 004) for a paid trade.
    static func paymentResponse(_ trade: Trade, gateway: Gateway) async throws -> TradePayResponse {
        let paid = trade.payAmount
        var response = TradePayResponse(tradeNo: trade.tradeNo, outTradeNo: trade.outTradeNo, totalAmount: trade.amount)
        // The payment recorded the buyer's logon id; reading the account again cost a store call per
        // payment (issue 17). Trades paid before the field existed still read it.
        if let logonId = trade.details.buyerLogonId {
            response.buyerLogonId = TradeService.masked(logonId)
        } else if let buyer = trade.buyer, let account = try await gateway.accounts.account(userId: buyer) {
            response.buyerLogonId = TradeService.masked(account.logonId)
        }
        response.currencies = trade.currencies(rates: gateway.configuration.exchangeRates)
        response.receiptAmount = paid
        response.buyerPayAmount = paid
        response.pointAmount = .zero
        response.invoiceAmount = paid
        response.gmtPayment = gateway.configuration.calendar.timestamp(trade.details.paidAt ?? trade.createdAt)
        response.fundBillList = fundBillList(trade)
        response.buyerUserId = trade.buyer?.rawValue ?? ""
        response.buyerUserType = "PRIVATE"
        return response
    }
}
