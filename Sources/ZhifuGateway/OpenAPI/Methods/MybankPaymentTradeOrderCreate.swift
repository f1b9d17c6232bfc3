import ZhifuCore
import ZhifuModels
import ZhifuProtocol

/// `mybank.payment.trade.order.create` (网商银行全渠道收单业务订单创建): a terminal payment or refund
/// reported once per out_trade_no; a payment credits the merchant from the clearing account, a
/// refund debits it, never beyond the payments of its recon_related_no.
struct MybankPaymentTradeOrderCreate: OpenAPIMethod {
    let methodName = "mybank.payment.trade.order.create"

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> any OpenAPIResponseModel {
        let model = try request.model(MybankPaymentTradeOrderCreateModel.self)
        guard model.totalAmount.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let fen = Int64(model.totalAmount), (1...100_000_000).contains(fen) else {
            throw OpenAPIError.invalidParameter("total_amount")
        }
        guard let payType = MybankOrder.PayType(rawValue: model.payType) else { throw OpenAPIError.invalidParameter("pay_type") }
        guard ["CNY", "156"].contains(model.currencyCode) else { throw OpenAPIError.invalidParameter("currency_code") }
        guard gateway.configuration.calendar.parseTimestamp(model.payDate) != nil else { throw OpenAPIError.invalidParameter("pay_date") }
        guard !model.goodsInfo.isEmpty, model.goodsInfo.allSatisfy({ !$0.goodsName.isEmpty && $0.goodsName.count <= 256 && $0.goodsPrice.fen > 0 }) else {
            throw OpenAPIError.invalidParameter("goods_info")
        }
        let goods = model.goodsInfo.map { "\($0.goodsName)|\($0.goodsPrice.fen)" }
        let content = [model.partnerId, model.outTradeNo, model.reconRelatedNo, model.pdCode, model.evCode, model.totalAmount, model.currencyCode,
                       model.sellerId, model.payType, model.payDate, model.remark ?? ""] + goods
        let fingerprint = Hex.lowercase(Digest.sha256(Array(content.joined(separator: "\n").utf8)))
        try await gateway.mybank.create(MybankOrder(partner: request.partner, outTradeNo: model.outTradeNo, reconRelatedNo: model.reconRelatedNo,
                                                    payType: payType, amount: Amount(fen: fen), fingerprint: fingerprint, createdAt: gateway.clock.now))
        return MybankPaymentTradeOrderCreateResponse()
    }
}
