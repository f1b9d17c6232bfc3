import Foundation
import Hummingbird
import ZhifuCore
import ZhifuProtocol
import ZhifuQR

/// The buyer's side: the cashier page where page.pay, wap.pay, app.pay and scanned QR codes are
/// paid with an account and payment password, the QR image, and the buyer page that shows a
/// payment code and "scans" QR codes.
///
/// Routes: `GET|POST /cashier/{trade_no}`, `GET /qr/{trade_no}` (the precreate `qr_code` URL),
/// `GET /qr/{trade_no}/image.svg`, `GET|POST /buyer`, `GET /buyer/scan`, `POST /buyer/logout`.
struct Cashier: Sendable {
    let gateway: Gateway
    var session: BuyerSession { BuyerSession(gateway: gateway) }

    static let maximumFormBytes = 8 * 1024

    func register(on router: Router<GatewayRequestContext>) {
        router.get("/cashier/:tradeNo") { request, context in
            try await page(tradeNo: context.parameters.get("tradeNo") ?? "", prefill: request.uri.queryParameters.get("account"))
        }
        router.post("/cashier/:tradeNo") { request, context in
            let form = try await Self.form(request)
            return try await pay(tradeNo: context.parameters.get("tradeNo") ?? "", account: form["account"] ?? "", password: form["password"] ?? "")
        }
        router.get("/qr/:tradeNo") { _, context in
            let tradeNo = context.parameters.get("tradeNo") ?? ""
            try await scan(tradeNo: tradeNo)
            return try await page(tradeNo: tradeNo, prefill: nil)
        }
        router.get("/qr/:tradeNo/embedded") { request, context in
            let query = request.uri.queryParameters
            let width = query.get("width").flatMap { Int($0) }.flatMap { EmbeddedQR.widths.contains($0) ? $0 : nil }
            return try await embedded(tradeNo: context.parameters.get("tradeNo") ?? "",
                                      EmbeddedQR(mode: query.get("mode").flatMap { ["0", "1", "3", "4"].contains($0) ? $0 : nil } ?? "0", width: width))
        }
        router.get("/qr/:tradeNo/image.svg") { _, context in
            let tradeNo = context.parameters.get("tradeNo") ?? ""
            guard let trade = try await gateway.trades.stored(tradeNo: tradeNo), let code = QRCode(Self.qrCodeURL(trade, gateway: gateway)) else {
                return Response(status: .notFound)
            }
            return Response(status: .ok, headers: [.contentType: "image/svg+xml", .cacheControl: "no-store"],
                            body: .init(byteBuffer: ByteBuffer(string: code.svg())))
        }
        router.get("/buyer") { request, _ in
            guard let buyer = try await session.buyer(request) else { return Self.loginPage() }
            return try await buyerPage(buyer.userId)
        }
        router.post("/buyer") { request, _ in
            let form = try await Self.form(request)
            return try await login(account: form["account"] ?? "", password: form["password"] ?? "")
        }
        router.post("/buyer/logout") { request, _ in
            if let buyer = try await session.buyer(request) { try await gateway.accounts.endSessions(userId: buyer.userId) }
            return Response(status: .seeOther, headers: [.location: "/buyer", .setCookie: BuyerSession.clearCookie])
        }
        router.get("/buyer/scan") { request, _ in
            guard let account = try await session.buyer(request) else { return Self.loginPage() }
            let buyer = account.userId
            let scanned = request.uri.queryParameters.get("qr_code") ?? ""
            guard scanned.count <= 512, let tradeNo = Self.tradeNo(inQRCode: scanned, gateway: gateway) else {
                return try await buyerPage(buyer, error: "无法识别的二维码")
            }
            try await scan(tradeNo: tradeNo)
            let query = FormCoding.encode(ZhifuProtocol.Parameters([("account", account.logonId)]), charset: .utf8) ?? ""
            return Response(status: .seeOther, headers: [.location: "/cashier/\(tradeNo)?\(query)"])
        }
    }

    /// Opening a precreated trade's code is what makes the trade exist on Alipay.
    func scan(tradeNo: String) async throws {
        guard let trade = try await gateway.trades.stored(tradeNo: tradeNo) else { return }
        _ = try await gateway.trades.scanned(trade)
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
        guard let stored = try await gateway.trades.stored(tradeNo: tradeNo) else {
            return Pages.render("cashier", CashierModel(tradeNo: tradeNo, error: "交易不存在"), title: "收银台", status: .notFound)
        }
        let trade = try await gateway.trades.current(stored)
        var model = CashierModel(tradeNo: trade.tradeNo, trade: try await summary(trade), error: error, prefill: prefill ?? "")
        model.paid = trade.status.isPaid
        model.closed = trade.status == .tradeClosed
        model.payable = trade.status == .waitBuyerPay
        model.quitURL = model.payable ? trade.details.quitURL : nil
        return Pages.render("cashier", model, title: "收银台")
    }

    func summary(_ trade: Trade) async throws -> CashierModel.TradeSummary {
        let merchant = try await gateway.accounts.account(userId: trade.partner)?.name ?? trade.partner.rawValue
        return .init(subject: trade.subject, seller: merchant, outTradeNo: trade.outTradeNo, amount: trade.payAmount.description)
    }

    /// The buyer signs in with the account and payment password and pays; then the browser goes
    /// to the merchant's return_url with the signed result (or sees the success page).
    func pay(tradeNo: String, account logonId: String, password: String) async throws -> Response {
        // A trade that cannot be paid shows its state, before any password check: nobody learns
        // whether a password is right, or sees a payment that was not theirs as a success.
        guard let stored = try await gateway.trades.stored(tradeNo: tradeNo), try await gateway.trades.current(stored).status == .waitBuyerPay else {
            return try await page(tradeNo: tradeNo, prefill: nil)
        }
        guard password.count <= 64, let account = try await gateway.accounts.user(logonId: logonId) else {
            return try await page(tradeNo: tradeNo, prefill: logonId, error: "账户名或支付密码不正确")
        }
        if let refusal = try await passwordRefusal(account, password) { return try await page(tradeNo: tradeNo, prefill: logonId, error: refusal) }
        // Read again after the slow password check: the trade may have been paid or closed meanwhile.
        guard let trade = try await gateway.trades.stored(tradeNo: tradeNo) else { return try await page(tradeNo: tradeNo, prefill: nil) }
        let paid: Trade
        do {
            try await FaultRules(gateway: gateway).declineIfRuled(buyer: account.userId)
            paid = try await gateway.trades.pay(trade, buyer: account.userId)
        } catch let failure as TradeFailure {
            return try await page(tradeNo: tradeNo, prefill: logonId, error: "\(failure.message) (\(failure.rawValue))")
        } catch let declined as OpenAPIError {
            return try await page(tradeNo: tradeNo, prefill: logonId, error: "\(declined.subMsg ?? declined.msg) (\(declined.subCode ?? declined.code))")
        }
        guard let returnURL = paid.details.returnURL, let location = try ReturnURL(gateway: gateway).location(paid, returnURL: returnURL) else {
            return Pages.render("cashier", CashierModel(tradeNo: paid.tradeNo, trade: try await summary(paid), succeeded: true), title: "支付成功")
        }
        return Response(status: .seeOther, headers: [.location: location])
    }

    /// What the page says when the payment password is not accepted; `nil` when it is.
    func passwordRefusal(_ account: Account, _ password: String) async throws -> String? {
        switch try await gateway.passwords.verify(account, password: password) {
        case .accepted: nil
        case .wrong(let remaining): "账户名或支付密码不正确，还可以再试\(remaining)次"
        case .blocked: "账户已被锁定"
        case .busy: "系统繁忙，请稍后再试"
        }
    }

    // MARK: Buyer page

    static func loginPage(error: String? = nil) -> Response {
        Pages.render("buyer_login", BuyerLoginModel(error: error), title: "我的支付宝")
    }

    func login(account logonId: String, password: String) async throws -> Response {
        guard password.count <= 64, let account = try await gateway.accounts.user(logonId: logonId) else {
            return Self.loginPage(error: "账户名或支付密码不正确")
        }
        if let refusal = try await passwordRefusal(account, password) { return Self.loginPage(error: refusal) }
        return Response(status: .seeOther, headers: [.location: "/buyer", .setCookie: session.setCookie(for: account)])
    }

    /// 付款码: a fresh single-use code each time the page is shown, as digits and as a QR code.
    func buyerPage(_ buyer: UserId, error: String? = nil) async throws -> Response {
        guard let account = try await gateway.accounts.account(userId: buyer) else { return Self.loginPage() }
        let code = try await gateway.trades.issuePaymentCode(buyer: buyer)
        return Pages.render("buyer", BuyerModel(logonId: account.logonId, balance: account.balance.description, code: code.code,
                                                codeSeconds: TradeService.paymentCodeSeconds, codeImage: QRCode(code.code)?.svg(moduleSize: 4) ?? "",
                                                error: error), title: "我的支付宝")
    }

    static func form(_ request: Request) async throws -> ZhifuProtocol.Parameters {
        var request = request
        let body = try await request.collectBody(upTo: maximumFormBytes)
        return (try? FormCoding.decode(query: [], body: Array(body.readableBytesView)).0) ?? ZhifuProtocol.Parameters()
    }
}
