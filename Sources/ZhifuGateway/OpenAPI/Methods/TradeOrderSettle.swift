import Foundation
import ZhifuCore
import ZhifuProtocol

/// `alipay.trade.order.settle` (统一收单交易结算): pays parts of a paid trade on from the merchant
/// to other accounts (`royalty_parameters`), once per `out_request_no`.
struct TradeOrderSettle: OpenAPIMethod {
    let methodName = "alipay.trade.order.settle"
    static let maximumReceivers = 20

    func handle(_ request: OpenAPIRequest, gateway: Gateway) async throws -> [(String, OpenAPIJSON)] {
        let outRequestNo = try request.required("out_request_no", maxLength: 64)
        _ = try request.required("trade_no", maxLength: 64)
        let text = try request.required("royalty_parameters", maxLength: 16 * 1024)
        guard let items = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]], (1...Self.maximumReceivers).contains(items.count) else {
            throw OpenAPIError.invalidParameter("royalty_parameters")
        }
        var royalties: [(transIn: UserId, amount: Amount)] = []
        for item in items {
            let amountText = (item["amount"] as? String) ?? (item["amount"] as? NSNumber)?.stringValue
            guard let transIn = (item["trans_in"] as? String).flatMap(UserId.init), let amount = amountText.flatMap({ Amount($0) }) else {
                throw OpenAPIError.invalidParameter("royalty_parameters")
            }
            royalties.append((transIn, amount))
        }
        let trade = try await gateway.trades.settle(request.trade(gateway), outRequestNo: outRequestNo, royalties: royalties)
        return [("trade_no", .string(trade.tradeNo)), ("settle_no", .string(Self.settleNo(tradeNo: trade.tradeNo, outRequestNo: outRequestNo)))]
    }

    /// 支付宝结算流水号: the trade's date and 20 digits derived from the request, the same on a repeat.
    static func settleNo(tradeNo: String, outRequestNo: String) -> String {
        let digest = Digest.sha256(Array("\(tradeNo)\n\(outRequestNo)".utf8))
        return String(tradeNo.prefix(8)) + digest.prefix(10).map { String(format: "%02d", Int($0) % 100) }.joined()
    }
}
