import Foundation
import ZhifuProtocol

/// auth_confirm_mode of a payment from a fund authorisation.
public enum AuthConfirmMode: String, Sendable {
    /// The rest stays frozen for later payments or an unfreeze (Alipay's default).
    case notComplete = "NOT_COMPLETE"
    /// The rest is unfrozen with the payment: the order is finished.
    case complete = "COMPLETE"
}

extension TradeService {
    /// `alipay.trade.pay` with product_code PRE_AUTH and `auth_no`: creates the trade and pays it
    /// from the order's frozen money, in one transaction with the order's PAY operation (and, for
    /// COMPLETE, the unfreezing of the rest). Only the order's payer, paying its payee, may; the
    /// same out_trade_no again is judged as `pay` judges it (ACQ.TRADE_HAS_SUCCESS).
    public func payFromAuth(_ draft: TradeDraft, order: FundAuthOrder, confirmMode: AuthConfirmMode) async throws -> Trade {
        if let existing = try await store.trade(partner: draft.partner, outTradeNo: draft.outTradeNo) {
            guard existing.fingerprint == draft.fingerprint else { throw TradeFailure.contextInconsistent }
            throw TradeFailure.unpayable(try await current(existing).status) ?? .tradeStatusError
        }
        guard order.partner == draft.partner, order.payee == draft.partner, draft.buyer == nil || draft.buyer == order.payer else {
            throw TradeFailure.authNoError
        }
        guard draft.details.productCode == order.productCode else { throw TradeFailure.preAuthProdCodeInconsistent }
        switch order.status {
        case .authorized: break
        case .finish: throw TradeFailure.authOrderHasFinished
        case .closed: throw TradeFailure.authOrderHasClosed
        }
        guard draft.amount <= order.hold.remaining else { throw TradeFailure.authAmountNotEnough }
        guard let account = try await store.account(userId: order.payer) else { throw TradeFailure.authNoError }
        let now = clock.now
        var paid = newTrade(draft)
        paid.status = .tradeSuccess
        paid.buyer = order.payer
        paid.details.paidAt = now
        paid.details.buyerLogonId = account.logonId
        let transfer = Transfer(id: "pay-\(paid.tradeNo)", debit: order.payer, credit: draft.partner, amount: paid.payAmount, code: .tradePay,
                                reference: paid.tradeNo, createdAt: now)
        let operation = FundAuthOperation(operationId: calendar.day(now) + SecureRandom.digits(12), authNo: order.authNo, outRequestNo: draft.outTradeNo,
                                          kind: .pay, amount: paid.payAmount, remark: nil, createdAt: now)
        let update = TradeUpdate(trade: paid, transfers: [transfer], notifications: notification(for: paid, buyer: account), isNew: true,
                                 authPayment: FundAuthPayment(operation: operation, voidRest: confirmMode == .complete))
        do {
            return try await commit(update)
        } catch is StaleTrade {
            // The out_trade_no was taken meanwhile: that trade is judged instead.
            let raced = try await raced(draft)
            throw TradeFailure.unpayable(raced.status) ?? .tradeStatusError
        } catch TradeFailure.authAmountNotEnough {
            // Paid or unfrozen meanwhile: judged on what is left now.
            guard let now = try await store.fundAuthOrder(authNo: order.authNo) else { throw TradeFailure.authNoError }
            switch now.status {
            case .authorized: throw TradeFailure.authAmountNotEnough
            case .finish: throw TradeFailure.authOrderHasFinished
            case .closed: throw TradeFailure.authOrderHasClosed
            }
        }
    }
}
