import ZhifuCore
import ZhifuModels
import ZhifuProtocol

/// `alipay.fund.auth.order.freeze` (资金授权冻结, seed 004): the cashier scans the buyer's payment
/// code and freezes an amount of the buyer's balance for this merchant (product PRE_AUTH). The
/// freeze completes at once; the same out_order_no and out_request_no again answer the same order.
struct FundAuthOrderFreeze: OpenAPIMethod {
    let methodName = "alipay.fund.auth.order.freeze"

    /// The content that identifies a freeze: the same out_order_no with other values is UNIQUE_VIOLATION.
    static let fingerprintFields = ["out_order_no", "order_title", "amount", "payee_user_id", "payee_logon_id", "product_code", "trans_currency"]

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> any OpenAPIResponseModel {
        let model = try request.model(FundAuthOrderFreezeModel.self, subCode: OpenAPIError.illegalArgumentCode)
        func illegal(_ field: String) -> OpenAPIError { .invalidParameter(field, subCode: OpenAPIError.illegalArgumentCode) }
        guard model.authCodeType == "bar_code" else { throw illegal("auth_code_type") }
        let productCode = model.productCode ?? "PRE_AUTH"
        guard productCode == "PRE_AUTH" else { throw illegal("product_code") }
        for (field, number) in [("out_order_no", model.outOrderNo), ("out_request_no", model.outRequestNo)]
        where !number.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) { throw illegal(field) }
        guard OpenAPIRequest.amounts.contains(model.amount) else { throw illegal("amount") }
        for (field, currency) in [("trans_currency", model.transCurrency), ("settle_currency", model.settleCurrency)] where currency.map({ $0 != "CNY" }) ?? false {
            throw illegal(field)
        }
        for (field, timeout) in [("pay_timeout", model.payTimeout), ("timeout_express", model.timeoutExpress)]
        where timeout.map({ OpenAPIRequest.relativeTimeoutSeconds($0) == nil }) ?? false { throw illegal(field) }
        if let extra = model.extraParam, (try? BizContent.parse(extra)) == nil { throw illegal("extra_param") }
        let payee = try await payee(model, request, gateway: gateway)
        guard payee == request.partner else { throw illegal(model.payeeUserId != nil ? "payee_user_id" : "payee_logon_id") }

        let fingerprint = Hex.lowercase(Digest.sha256(Array(Self.fingerprintFields.map { "\($0)=\(request.biz[$0] ?? "")" }.joined(separator: "\n").utf8)))
        let draft = FundAuthDraft(partner: request.partner, outOrderNo: model.outOrderNo, outRequestNo: model.outRequestNo, orderTitle: model.orderTitle,
                                  amount: model.amount, payee: payee, productCode: productCode, fingerprint: fingerprint, appId: request.app.appId,
                                  notifyURL: try request.url("notify_url"), charset: request.charset.rawValue, signType: request.app.signType,
                                  transCurrency: model.transCurrency)
        let (order, freeze) = try await gateway.fundAuth.freeze(draft, paymentCode: model.authCode)
        var response = FundAuthOrderFreezeResponse(authNo: order.authNo, outOrderNo: order.outOrderNo, operationId: freeze.operationId,
                                                   outRequestNo: freeze.outRequestNo, amount: freeze.amount, status: "SUCCESS")
        response.payerUserId = order.payer.rawValue
        response.payerLogonId = TradeService.masked(order.payerLogonId)
        response.gmtTrans = gateway.configuration.calendar.timestamp(freeze.createdAt)
        response.creditAmount = .zero
        response.fundAmount = freeze.amount
        response.transCurrency = order.transCurrency
        return response
    }

    /// payee_user_id (which wins) or payee_logon_id, or the merchant itself.
    private func payee(_ model: FundAuthOrderFreezeModel, _ request: OpenAPIRequest, gateway: Gateway) async throws -> UserId {
        if let text = model.payeeUserId {
            guard let id = UserId(text), try await gateway.accounts.account(userId: id) != nil else { throw FundAuthFailure.payeeNotExist }
            return id
        }
        if let logonId = model.payeeLogonId {
            guard let account = try await gateway.accounts.user(logonId: logonId) else { throw FundAuthFailure.payeeNotExist }
            return account.userId
        }
        return request.partner
    }
}
