import Foundation
import ZhifuModels

/// Fund authorisation (预授权) as typed calls. Paying from an authorisation is
/// ``AlipayTrade/pay(_:notifyURL:)`` with product_code `PRE_AUTH`, `auth_no` and `buyer_id`.
public struct AlipayFundAuth: Sendable {
    let client: AlipayClient

    /// 资金授权冻结: freezes an amount of the buyer's balance by the buyer's payment code.
    public func freeze(_ model: FundAuthOrderFreezeModel, notifyURL: String? = nil) async throws -> FundAuthOrderFreezeResponse {
        try await client.call("alipay.fund.auth.order.freeze", model, notifyURL: notifyURL)
    }

    /// 资金授权解冻: part or all of what is still frozen goes back to the buyer.
    public func unfreeze(_ model: FundAuthOrderUnfreezeModel, notifyURL: String? = nil) async throws -> FundAuthOrderUnfreezeResponse {
        try await client.call("alipay.fund.auth.order.unfreeze", model, notifyURL: notifyURL)
    }

    /// 资金授权操作查询: the order's totals and one of its operations.
    public func operationDetailQuery(_ model: FundAuthOperationDetailQueryModel) async throws -> FundAuthOperationDetailQueryResponse {
        try await client.call("alipay.fund.auth.operation.detail.query", model)
    }
}
