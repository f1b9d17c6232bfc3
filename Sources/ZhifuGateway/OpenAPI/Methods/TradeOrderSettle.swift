import Foundation
import ZhifuCore
import ZhifuModels
import ZhifuProtocol

/// `alipay.trade.order.settle` (统一收单交易结算): pays parts of a paid trade on from the merchant
/// to other accounts (`royalty_parameters`), once per `out_request_no`.
struct TradeOrderSettle: OpenAPIMethod {
    let methodName = "alipay.trade.order.settle"
    static let maximumReceivers = 20

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> any OpenAPIResponseModel {
        let model = try request.model(TradeSettleModel.self)
        guard (1...Self.maximumReceivers).contains(model.royaltyParameters.count) else { throw OpenAPIError.invalidParameter("royalty_parameters") }
        let royalties = try model.royaltyParameters.map { royalty throws(OpenAPIError) in
            // Zhifu's accounts are named by user id: trans_in_type `userId` (the default) only.
            guard royalty.transInType == nil || royalty.transInType == "userId", let transIn = UserId(royalty.transIn) else {
                throw OpenAPIError.invalidParameter("royalty_parameters")
            }
            return (transIn: transIn, amount: royalty.amount)
        }
        let trade = try await gateway.trades.settle(request.trade(gateway, tradeNo: model.tradeNo, outTradeNo: nil), outRequestNo: model.outRequestNo,
                                                    royalties: royalties)
        return TradeSettleResponse(tradeNo: trade.tradeNo, settleNo: Self.settleNo(tradeNo: trade.tradeNo, outRequestNo: model.outRequestNo))
    }

    /// 支付宝结算流水号: the trade's date and 20 digits derived from the request, the same on a repeat.
    static func settleNo(tradeNo: String, outRequestNo: String) -> String {
        let digest = Digest.sha256(Array("\(tradeNo)\n\(outRequestNo)".utf8))
        return String(tradeNo.prefix(8)) + digest.prefix(10).map { String(format: "%02d", Int($0) % 100) }.joined()
    }
}
