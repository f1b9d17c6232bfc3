import Foundation
import ZhifuProtocol

/// What a trade's merchant is told: the `trade_status_sync` notification of each state change.
extension TradeService {
    /// `trade_status_sync` (异步通知) for the trade's new state, or none without a notify_url.
    func notification(for trade: Trade, buyer: Account? = nil, refund: TradeRefund? = nil) -> [OutboxNotification] {
        guard let notifyURL = trade.details.notifyURL, !trade.details.isAwaitingScan else { return [] }
        let now = clock.now
        var p = Parameters()
        p["gmt_create"] = calendar.timestamp(trade.createdAt)
        p["charset"] = trade.details.charset
        p["seller_id"] = trade.partner.rawValue
        p["seller_email"] = trade.details.sellerEmail
        p["subject"] = trade.subject
        p["body"] = trade.details.body
        p["passback_params"] = trade.details.passbackParams
        p["buyer_id"] = trade.buyer?.rawValue
        p["buyer_logon_id"] = (buyer?.logonId ?? trade.details.buyerLogonId).map(Self.masked)
        p["version"] = "1.0"
        p["trade_no"] = trade.tradeNo
        p["out_trade_no"] = trade.outTradeNo
        if let refund { p["out_biz_no"] = refund.outRequestNo }
        p["app_id"] = trade.details.appId
        p["auth_app_id"] = trade.details.authAppId ?? trade.details.appId
        p["trade_status"] = trade.status.rawValue
        p["total_amount"] = trade.amount.description
        if let paidAt = trade.details.paidAt {
            p["gmt_payment"] = calendar.timestamp(paidAt)
            p["receipt_amount"] = trade.payAmount.description
            p["buyer_pay_amount"] = trade.payAmount.description
            p["invoice_amount"] = trade.payAmount.description
            p["point_amount"] = "0.00"
            p["fund_bill_list"] = #"[{"amount":"\#(trade.payAmount)","fundChannel":"ALIPAYACCOUNT"}]"#
        }
        if let refundedAt = trade.details.lastRefundAt {
            p["gmt_refund"] = calendar.timestamp(refundedAt) + ".000"
            p["refund_fee"] = trade.refunded.description
        }
        if trade.status == .tradeClosed, let closedAt = trade.details.closedAt { p["gmt_close"] = calendar.timestamp(closedAt) }
        let signType = trade.details.signType
        return [OutboxNotification(notifyId: Hex.lowercase(SecureRandom.bytes(16)), partner: trade.partner, notifyURL: notifyURL,
                                   notifyType: "trade_status_sync", protocol: .openapi, signType: signType,
                                   charset: Charset(name: trade.details.charset) ?? .utf8, parameters: p, nextAttemptAt: now, createdAt: now)]
    }

    /// Alipay shows buyers' logon ids masked: `159****5620`, `ab***@example.com`.
    public static func masked(_ logonId: String) -> String {
        if let at = logonId.firstIndex(of: "@") {
            return String(logonId[..<at].prefix(2)) + "***" + logonId[at...]
        }
        guard logonId.count > 7 else { return String(logonId.prefix(1)) + "***" }
        return String(logonId.prefix(3)) + "****" + String(logonId.suffix(4))
    }
}
