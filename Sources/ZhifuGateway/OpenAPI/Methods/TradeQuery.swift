import ZhifuCore
import ZhifuProtocol

/// `alipay.trade.query` (统一收单线下交易查询): a trade's state by `trade_no` or `out_trade_no`.
struct TradeQuery: OpenAPIMethod {
    static let name = "alipay.trade.query"

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> [(String, OpenAPIJSON)] {
        let trade = try await request.trade(in: gateway.store)
        var fields: [(String, OpenAPIJSON)] = [("trade_no", .string(trade.tradeNo)), ("out_trade_no", .string(trade.outTradeNo))]
        if let buyer = trade.buyer, let account = try await gateway.store.account(userId: buyer) {
            fields += [("buyer_logon_id", .string(Self.masked(account.logonId))), ("buyer_user_id", .string(buyer.rawValue))]
        }
        fields += [("trade_status", .string(trade.status.rawValue)), ("total_amount", .string(trade.amount.description))]
        if trade.status.isPaid {
            fields += [("buyer_pay_amount", .string(trade.amount.description)), ("receipt_amount", .string(trade.amount.description))]
        }
        return fields
    }

    /// Alipay shows buyers' logon ids masked: `159****5620`, `ab***@example.com`.
    static func masked(_ logonId: String) -> String {
        if let at = logonId.firstIndex(of: "@") {
            let name = logonId[..<at]
            return String(name.prefix(2)) + "***" + logonId[at...]
        }
        guard logonId.count > 7 else { return String(logonId.prefix(1)) + "***" }
        return String(logonId.prefix(3)) + "****" + String(logonId.suffix(4))
    }
}
