import ZhifuCore
import ZhifuProtocol

/// `alipay.trade.create` (统一收单交易创建): a trade waiting for the buyer (WAIT_BUYER_PAY).
///
/// `(partner, out_trade_no)` is idempotent: the same content returns the same trade; other content
/// under a used `out_trade_no` is ACQ.CONTEXT_INCONSISTENT.
struct TradeCreate: OpenAPIMethod {
    static let name = "alipay.trade.create"
    /// total_amount's range in seed 004: 0.01 to 100000000.
    static let amounts = Amount(fen: 1)...Amount(fen: 10_000_000_000)

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> [(String, OpenAPIJSON)] {
        guard let outTradeNo = try request.string("out_trade_no", maxLength: 64) else { throw OpenAPIError.invalidParameter("out_trade_no") }
        guard let subject = try request.string("subject", maxLength: 256) else { throw OpenAPIError.invalidParameter("subject") }
        guard let amountText = try request.string("total_amount", maxLength: 11), let amount = Amount(amountText) else {
            throw OpenAPIError.invalidParameter("total_amount")
        }
        guard Self.amounts.contains(amount) else { throw OpenAPIError.business("ACQ.TOTAL_FEE_EXCEED", "订单金额超过限额") }
        var buyer: UserId?
        if let buyerId = try request.string("buyer_id", maxLength: 28) {
            guard let id = UserId(buyerId), try await gateway.store.account(userId: id) != nil else { throw OpenAPIError.invalidParameter("buyer_id") }
            buyer = id
        }
        if let seller = try request.string("seller_id", maxLength: 28), seller != request.app.partner.rawValue {
            throw OpenAPIError.invalidParameter("seller_id")
        }
        let fingerprint = Hex.lowercase(Digest.sha256(Array(["out_trade_no", "total_amount", "subject", "buyer_id", "seller_id", "body"]
            .map { "\($0)=\(request.biz[$0].map { "\($0)" } ?? "")" }.joined(separator: "\n").utf8)))
        let now = gateway.clock.now
        let trade = Trade(tradeNo: gateway.configuration.calendar.day(now) + "2200" + SecureRandom.digits(16), partner: request.app.partner,
                          buyer: buyer, outTradeNo: outTradeNo, amount: amount, status: .waitBuyerPay, createdAt: now,
                          subject: subject, fingerprint: fingerprint)
        let stored: Trade
        if let existing = try await gateway.store.trade(partner: request.app.partner, outTradeNo: outTradeNo) {
            stored = existing
        } else {
            do {
                _ = try await gateway.store.insertTrade(trade)
                stored = trade
            } catch StoreError.duplicate {
                // Another request created it meanwhile.
                guard let raced = try await gateway.store.trade(partner: request.app.partner, outTradeNo: outTradeNo) else { throw StoreError.duplicate("trade") }
                stored = raced
            }
        }
        guard stored.fingerprint == fingerprint else { throw OpenAPIError.business("ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改") }
        return [("out_trade_no", .string(stored.outTradeNo)), ("trade_no", .string(stored.tradeNo))]
    }
}
