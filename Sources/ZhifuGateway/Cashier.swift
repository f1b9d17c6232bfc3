import Crypto
import Foundation
import Hummingbird
import ZhifuCore
import ZhifuProtocol

/// The buyer's side: the cashier page where page.pay, wap.pay, app.pay and scanned QR codes are
/// paid with an account and payment password, the QR image, and the buyer page that shows a
/// payment code and "scans" QR codes.
///
/// Routes: `GET|POST /cashier/{trade_no}`, `GET /qr/{trade_no}` (the precreate `qr_code` URL),
/// `GET /qr/{trade_no}/image.svg`, `GET|POST /buyer`, `GET /buyer/scan`, `POST /buyer/logout`.
struct Cashier: Sendable {
    let gateway: Gateway

    static let sessionCookie = "zhifu_buyer"
    static let sessionSeconds: Int64 = 30 * 60
    static let maximumFormBytes = 8 * 1024

    func register(on router: Router<BasicRequestContext>) {
        router.get("/cashier/:tradeNo") { request, context in
            try await page(tradeNo: context.parameters.get("tradeNo") ?? "", prefill: request.uri.queryParameters.get("account"))
        }
        router.post("/cashier/:tradeNo") { request, context in
            let form = try await Self.form(request)
            return try await pay(tradeNo: context.parameters.get("tradeNo") ?? "", account: form["account"] ?? "", password: form["password"] ?? "")
        }
        router.get("/qr/:tradeNo") { _, context in
            try await page(tradeNo: context.parameters.get("tradeNo") ?? "", prefill: nil)
        }
        router.get("/qr/:tradeNo/image.svg") { _, context in
            let tradeNo = context.parameters.get("tradeNo") ?? ""
            guard let trade = try await gateway.trades.stored(tradeNo: tradeNo), let code = QRCode(Self.qrCodeURL(trade, gateway: gateway)) else {
                return Response(status: .notFound)
            }
            return Self.svg(code)
        }
        router.get("/buyer") { request, _ in
            guard let buyer = try await session(request) else { return Self.loginPage() }
            return try await buyerPage(buyer)
        }
        router.post("/buyer") { request, _ in
            let form = try await Self.form(request)
            return try await login(account: form["account"] ?? "", password: form["password"] ?? "")
        }
        router.post("/buyer/logout") { _, _ in
            var response = Response(status: .seeOther, headers: [.location: "/buyer"])
            response.headers[.setCookie] = "\(Self.sessionCookie)=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
            return response
        }
        router.get("/buyer/scan") { request, _ in
            guard let buyer = try await session(request), let account = try await gateway.accounts.account(userId: buyer) else { return Self.loginPage() }
            let scanned = request.uri.queryParameters.get("qr_code") ?? ""
            guard scanned.count <= 512, let tradeNo = Self.tradeNo(inQRCode: scanned, gateway: gateway) else {
                return try await buyerPage(buyer, error: "无法识别的二维码")
            }
            let query = FormCoding.encode(ZhifuProtocol.Parameters([("account", account.logonId)]), charset: .utf8) ?? ""
            return Response(status: .seeOther, headers: [.location: "/cashier/\(tradeNo)?\(query)"])
        }
    }

    /// The `qr_code` of a precreated trade: a Zhifu URL that opens the cashier for it.
    static func qrCodeURL(_ trade: Trade, gateway: Gateway) -> String {
        "\(gateway.configuration.publicURL)/qr/\(trade.tradeNo)"
    }

    /// The trade number in a scanned `qr_code`, if it is one of this gateway's.
    static func tradeNo(inQRCode text: String, gateway: Gateway) -> String? {
        let prefix = "\(gateway.configuration.publicURL)/qr/"
        guard text.hasPrefix(prefix) else { return nil }
        let tradeNo = String(text.dropFirst(prefix.count))
        guard !tradeNo.isEmpty, tradeNo.count <= 64, tradeNo.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return tradeNo
    }

    // MARK: Cashier

    func page(tradeNo: String, prefill: String?, error: String? = nil) async throws -> Response {
        guard tradeNo.count <= 64, let stored = try await gateway.trades.stored(tradeNo: tradeNo) else {
            return HTML.page(title: "收银台", body: "<p class=\"error\" id=\"error\">交易不存在</p>", status: .notFound)
        }
        let trade = try await gateway.trades.current(stored)
        let summary = try await Self.summary(trade, gateway: gateway)
        guard trade.status == .waitBuyerPay else {
            let state = trade.status.isPaid ? "<p class=\"ok\" id=\"result\">支付成功</p>" : "<p class=\"error\" id=\"result\">交易已关闭</p>"
            return HTML.page(title: "收银台", body: summary + state)
        }
        let message = error.map { "<p class=\"error\" id=\"error\">\(HTML.escape($0))</p>" } ?? ""
        return HTML.page(title: "收银台", body: """
            \(summary)
            \(message)
            <form method="post" action="/cashier/\(HTML.escape(trade.tradeNo))" id="pay-form" accept-charset="utf-8">
            <label for="account">支付宝账户名:</label><input id="account" name="account" autocomplete="username" value="\(HTML.escape(prefill ?? ""))">
            <label for="password">支付密码:</label><input id="password" name="password" type="password" autocomplete="off">
            <div><button type="submit" id="submit">确认付款</button></div>
            </form>
            """)
    }

    static func summary(_ trade: Trade, gateway: Gateway) async throws -> String {
        let merchant = try await gateway.accounts.account(userId: trade.partner)?.name ?? trade.partner.rawValue
        return """
            <table id="trade"><tbody>
            <tr><th>商品</th><td id="subject">\(HTML.escape(trade.subject))</td></tr>
            <tr><th>收款方</th><td id="seller">\(HTML.escape(merchant))</td></tr>
            <tr><th>订单号</th><td id="out-trade-no">\(HTML.escape(trade.outTradeNo))</td></tr>
            <tr><th>应付金额(元)</th><td class="amount" id="amount">\(trade.payAmount)</td></tr>
            </tbody></table>
            """
    }

    /// The buyer signs in with the account and payment password and pays; then the browser goes
    /// to the merchant's return_url with the signed result (or sees the success page).
    func pay(tradeNo: String, account logonId: String, password: String) async throws -> Response {
        guard tradeNo.count <= 64, let trade = try await gateway.trades.stored(tradeNo: tradeNo) else {
            return try await page(tradeNo: tradeNo, prefill: nil)
        }
        guard logonId.count <= 100, password.count <= 64, let account = try await gateway.accounts.account(logonId: logonId), account.kind == .user else {
            return try await page(tradeNo: tradeNo, prefill: logonId, error: "账户名或支付密码不正确")
        }
        switch try await gateway.passwords.verify(account, password: password) {
        case .accepted: break
        case .wrong(let remaining): return try await page(tradeNo: tradeNo, prefill: logonId, error: "账户名或支付密码不正确，还可以再试\(remaining)次")
        case .blocked: return try await page(tradeNo: tradeNo, prefill: logonId, error: "账户已被锁定")
        case .busy: return try await page(tradeNo: tradeNo, prefill: logonId, error: "系统繁忙，请稍后再试")
        }
        let paid: Trade
        do {
            paid = try await gateway.trades.pay(trade, buyer: account.userId)
        } catch let failure as TradeFailure {
            return try await page(tradeNo: tradeNo, prefill: logonId, error: "\(failure.message) (\(failure.rawValue))")
        }
        guard let returnURL = paid.details.returnURL, let location = try returnLocation(paid, returnURL: returnURL) else {
            return HTML.page(title: "支付成功", body: try await Self.summary(paid, gateway: gateway) + "<p class=\"ok\" id=\"result\">支付成功</p>")
        }
        return Response(status: .seeOther, headers: [.location: location])
    }

    /// The synchronous return (同步通知): `<method>.return` with the trade's result, signed with
    /// the gateway key over every parameter but sign and sign_type, in the request's charset.
    func returnLocation(_ trade: Trade, returnURL: String) throws -> String? {
        let charset = Charset(name: trade.details.charset) ?? .utf8
        let signType: SignType = trade.details.signType == "RSA" ? .rsa : .rsa2
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

    // MARK: Buyer page

    static func loginPage(error: String? = nil) -> Response {
        HTML.page(title: "我的支付宝", body: """
            \(error.map { "<p class=\"error\" id=\"error\">\(HTML.escape($0))</p>" } ?? "")
            <form method="post" action="/buyer" id="login-form" accept-charset="utf-8">
            <label for="account">支付宝账户名:</label><input id="account" name="account" autocomplete="username">
            <label for="password">支付密码:</label><input id="password" name="password" type="password" autocomplete="off">
            <div><button type="submit" id="login">登录</button></div>
            </form>
            """)
    }

    func login(account logonId: String, password: String) async throws -> Response {
        guard logonId.count <= 100, password.count <= 64, let account = try await gateway.accounts.account(logonId: logonId), account.kind == .user else {
            return Self.loginPage(error: "账户名或支付密码不正确")
        }
        switch try await gateway.passwords.verify(account, password: password) {
        case .accepted:
            var response = Response(status: .seeOther, headers: [.location: "/buyer"])
            response.headers[.setCookie] = "\(Self.sessionCookie)=\(sessionValue(account.userId)); Path=/; Max-Age=\(Self.sessionSeconds); HttpOnly; SameSite=Lax"
            return response
        case .wrong(let remaining): return Self.loginPage(error: "账户名或支付密码不正确，还可以再试\(remaining)次")
        case .blocked: return Self.loginPage(error: "账户已被锁定")
        case .busy: return Self.loginPage(error: "系统繁忙，请稍后再试")
        }
    }

    /// 付款码: a fresh single-use code each time the page is shown, as digits and as a QR code.
    func buyerPage(_ buyer: UserId, error: String? = nil) async throws -> Response {
        guard let account = try await gateway.accounts.account(userId: buyer) else { return Self.loginPage() }
        let code = try await gateway.trades.issuePaymentCode(buyer: buyer)
        let image = QRCode(code.code)?.svg(moduleSize: 4) ?? ""
        return HTML.page(title: "我的支付宝", body: """
            <p>账户: <span id="account">\(HTML.escape(account.logonId))</span> 余额: <span id="balance">\(account.balance)</span> 元</p>
            <h2>付款码</h2>
            <p>向商家出示付款码, \(TradeService.paymentCodeSeconds) 秒内有效, 仅可使用一次</p>
            <p id="payment-code" style="font-size:28px;letter-spacing:4px">\(HTML.escape(code.code))</p>
            <div id="payment-code-image">\(image)</div>
            <form method="get" action="/buyer"><button type="submit" id="refresh">刷新付款码</button></form>
            <h2>扫一扫</h2>
            \(error.map { "<p class=\"error\" id=\"error\">\(HTML.escape($0))</p>" } ?? "")
            <form method="get" action="/buyer/scan" id="scan-form">
            <label for="qr_code">二维码内容:</label><input id="qr_code" name="qr_code" style="width:480px">
            <div><button type="submit" id="scan">付款</button></div>
            </form>
            <form method="post" action="/buyer/logout"><button type="submit" id="logout">退出</button></form>
            """)
    }

    // MARK: Sessions

    /// `userId.expiry.hmac`: HMAC-SHA256 under a key derived from the gateway's private key, so
    /// every node of a cluster accepts it and nobody else can make one.
    func sessionValue(_ buyer: UserId) -> String {
        let payload = "\(buyer.rawValue).\(Int64(gateway.clock.now.timeIntervalSince1970) + Self.sessionSeconds)"
        return payload + "." + mac(payload)
    }

    func session(_ request: Request) async throws -> UserId? {
        guard let cookie = request.cookies[Self.sessionCookie]?.value, cookie.count <= 128 else { return nil }
        let parts = cookie.split(separator: ".").map(String.init)
        guard parts.count == 3, let buyer = UserId(parts[0]), let expiry = Int64(parts[1]),
              ConstantTime.equals(Array(mac("\(parts[0]).\(parts[1])").utf8), Array(parts[2].utf8)),
              expiry > Int64(gateway.clock.now.timeIntervalSince1970) else { return nil }
        return buyer
    }

    private func mac(_ payload: String) -> String {
        let key = SymmetricKey(data: ZhifuProtocol.Digest.sha256(Array(("zhifu-buyer-session\n" + gateway.privateKey.pemRepresentation).utf8)))
        return Hex.lowercase(Array(HMAC<SHA256>.authenticationCode(for: Array(payload.utf8), using: key)))
    }

    // MARK: Helpers

    static func form(_ request: Request) async throws -> ZhifuProtocol.Parameters {
        var request = request
        let body = try await request.collectBody(upTo: maximumFormBytes)
        return (try? FormCoding.decode(query: [], body: Array(body.readableBytesView)).0) ?? ZhifuProtocol.Parameters()
    }

    static func svg(_ code: QRCode) -> Response {
        Response(status: .ok, headers: [.contentType: "image/svg+xml", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: code.svg())))
    }
}
