import ZhifuCore
import ZhifuProtocol

/// The synchronous return (同步通知) of page.pay, wap.pay and app.pay: the browser goes to the
/// merchant's return_url with `<method>.return` and the trade's result, signed with the gateway
/// key over every parameter but sign and sign_type, in the request's charset.
struct ReturnURL: Sendable {
    let gateway: Gateway

    func location(_ trade: Trade, returnURL: String) throws -> String? {
        let charset = Charset(name: trade.details.charset) ?? .utf8
        let signType = trade.details.signType
        var p = ZhifuProtocol.Parameters()
        p["charset"] = charset.rawValue
        p["out_trade_no"] = trade.outTradeNo
        p["method"] = trade.details.method + ".return"
        p["total_amount"] = trade.amount.description
        p["trade_no"] = trade.tradeNo
        p["auth_app_id"] = trade.details.authAppId ?? trade.details.appId
        p["version"] = "1.0"
        p["app_id"] = trade.details.appId
        p["seller_id"] = trade.partner.rawValue
        p["timestamp"] = gateway.configuration.calendar.timestamp(gateway.clock.now)
        guard let content = charset.encode(SignContent.openAPINotification(p)) else { return nil }
        p["sign"] = try RSASigner(key: gateway.privateKey, signType: signType).sign(content)
        p["sign_type"] = signType.rawValue
        guard let query = FormCoding.encode(p, charset: charset) else { return nil }
        return returnURL + (returnURL.contains("?") ? "&" : "?") + query
    }
}
