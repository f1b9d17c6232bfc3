import ZhifuCore
import ZhifuProtocol

/// `alipay.trade.cancel` (统一收单交易撤销): undoes a trade whatever became of it. An unpaid trade is
/// closed (`action` close); a paid one is refunded in full and closed in one transaction (`action`
/// refund). Cancelling again answers the same way and moves no money twice.
struct TradeCancel: OpenAPIMethod {
    static let name = "alipay.trade.cancel"

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> [(String, OpenAPIJSON)] {
        let trade = try await request.trade(in: gateway.store)
        let refundId = "cancel-\(trade.tradeNo)"
        func answer(_ action: String) -> [(String, OpenAPIJSON)] {
            [("trade_no", .string(trade.tradeNo)), ("out_trade_no", .string(trade.outTradeNo)), ("retry_flag", .string("N")),
             ("action", .string(action))]
        }
        switch trade.status {
        case .waitBuyerPay:
            guard try await gateway.store.changeTrade(tradeNo: trade.tradeNo, from: .waitBuyerPay, to: .tradeClosed, transfers: []) == .changed else {
                throw OpenAPIError.business("ACQ.SYSTEM_ERROR", "系统错误")
            }
            return answer("close")
        case .tradeSuccess:
            guard let buyer = trade.buyer else { throw OpenAPIError.tradeStatusError }
            let refund = Transfer(id: refundId, debit: trade.partner, credit: buyer, amount: trade.amount, code: "trade_cancel",
                                  reference: trade.tradeNo, createdAt: gateway.clock.now)
            switch try await gateway.store.changeTrade(tradeNo: trade.tradeNo, from: .tradeSuccess, to: .tradeClosed, transfers: [refund]) {
            case .changed: return answer("refund")
            case .refused(.exceedsBalance): throw OpenAPIError.business("ACQ.SELLER_BALANCE_NOT_ENOUGH", "卖家余额不足")
            case .refused, .statusMismatch: throw OpenAPIError.business("ACQ.SYSTEM_ERROR", "系统错误")
            }
        case .tradeClosed:
            return answer(try await gateway.store.transfer(id: refundId) == nil ? "close" : "refund")
        case .tradeFinished:
            throw OpenAPIError.tradeStatusError
        }
    }
}
