import Foundation
import ZhifuProtocol

/// A Huabei (花呗) pre-authorisation agreement: part of a buyer's Huabei credit line frozen for a
/// merchant. The credit line is an account of its own (funded from the clearing account up to the
/// limit, by fixtures); the frozen part is a ``PendingTransfer`` to the merchant, which
/// `alipay.pcredit.huabei.auth.settle.apply` posts (and, when the agreement ends, voids the rest of).
public struct HuabeiAgreement: Sendable, Equatable {
    public var agreementNo: String
    public var user: UserId
    public var seller: UserId
    /// `Y` while it can be settled, `N` once ended.
    public var valid: Bool
    public var hold: PendingTransfer

    public init(agreementNo: String, user: UserId, seller: UserId, valid: Bool, hold: PendingTransfer) {
        self.agreementNo = agreementNo; self.user = user; self.seller = seller; self.valid = valid; self.hold = hold
    }

    public static func holdId(agreementNo: String) -> String { "huabei-\(agreementNo)" }
}

/// One settlement of an agreement (out_request_no per merchant).
public struct HuabeiSettlement: Sendable, Equatable {
    public var seller: UserId
    public var outRequestNo: String
    public var agreementNo: String
    public var amount: Amount
    public var actionType: String
    public var createdAt: Date

    public init(seller: UserId, outRequestNo: String, agreementNo: String, amount: Amount, actionType: String, createdAt: Date) {
        self.seller = seller; self.outRequestNo = outRequestNo; self.agreementNo = agreementNo; self.amount = amount; self.actionType = actionType
        self.createdAt = createdAt
    }
}

public enum HuabeiChange: Sendable, Equatable {
    case changed
    /// The out_request_no was taken meanwhile.
    case duplicate
    /// The agreement ended meanwhile.
    case ended
    case released(PendingTransferResult)
}

public protocol HuabeiRepository: Sendable {
    /// In one transaction: holds the frozen amount of the credit account for the seller and stores
    /// the agreement. `false` when the agreement exists.
    func insertHuabeiAgreement(_ agreement: HuabeiAgreement) async throws -> Bool
    func huabeiAgreement(agreementNo: String) async throws -> HuabeiAgreement?
    func huabeiSettlement(seller: UserId, outRequestNo: String) async throws -> HuabeiSettlement?
    /// In one transaction: posts the settlement from the agreement's hold to the seller, and when
    /// `terminate` voids the rest and ends the agreement.
    func settleHuabei(_ settlement: HuabeiSettlement, credit: UserId, terminate: Bool) async throws -> HuabeiChange
}

/// Alipay publishes no sub_code table for settle.apply; these are Zhifu's (docs/fidelity.md §13d).
public enum HuabeiFailure: String, Error, Sendable, BusinessFailure {
    case agreementNotExist = "AGREEMENT_NOT_EXIST"
    case agreementUserNotMatch = "AGREEMENT_USER_NOT_MATCH"
    case agreementTerminated = "AGREEMENT_TERMINATED"
    case payAmountExceed = "PAY_AMOUNT_EXCEED"
    case requestInfoInconsistent = "REQUEST_INFO_INCONSISTENT"
    case systemError = "SYSTEM_ERROR"

    public var subCode: String { rawValue }
    public var message: String {
        switch self {
        case .agreementNotExist: "协议不存在"
        case .agreementUserNotMatch: "协议与用户或商户不匹配"
        case .agreementTerminated: "协议已解约"
        case .payAmountExceed: "结算金额超过冻结金额"
        case .requestInfoInconsistent: "请求流水号重复，请求信息不一致"
        case .systemError: "系统错误"
        }
    }
}

public struct HuabeiService: Sendable {
    let store: any Store
    let clock: any Clock

    public init(store: any Store, clock: any Clock) { self.store = store; self.clock = clock }

    public enum ActionType: String, Sendable {
        case merchantSettle = "MERCHANT_SETTLE"
        case quitSettle = "QUIT_SETTLE"
        case periodSettle = "PERIOD_SETTLE"
    }

    /// `alipay.pcredit.huabei.auth.settle.apply`: pays `amount` of the frozen credit to the seller,
    /// once per out_request_no; QUIT_SETTLE, or MERCHANT_SETTLE unless need_terminated is false,
    /// ends the agreement and unfreezes the rest.
    public func settle(agreementNo: String, user: UserId, seller: UserId, outRequestNo: String, amount: Amount, action: ActionType,
                       needTerminated: Bool) async throws -> HuabeiSettlement {
        if let earlier = try await store.huabeiSettlement(seller: seller, outRequestNo: outRequestNo) {
            guard earlier.agreementNo == agreementNo, earlier.amount == amount else { throw HuabeiFailure.requestInfoInconsistent }
            return earlier
        }
        guard agreementNo.utf8.count <= 64, let agreement = try await store.huabeiAgreement(agreementNo: agreementNo) else {
            throw HuabeiFailure.agreementNotExist
        }
        guard agreement.user == user, agreement.seller == seller else { throw HuabeiFailure.agreementUserNotMatch }
        guard agreement.valid else { throw HuabeiFailure.agreementTerminated }
        guard amount.fen > 0, amount <= agreement.hold.remaining else { throw HuabeiFailure.payAmountExceed }
        let settlement = HuabeiSettlement(seller: seller, outRequestNo: outRequestNo, agreementNo: agreementNo, amount: amount, actionType: action.rawValue,
                                          createdAt: clock.now)
        let terminate = action == .quitSettle || (action == .merchantSettle && needTerminated)
        switch try await store.settleHuabei(settlement, credit: agreement.hold.debit, terminate: terminate) {
        case .changed: return settlement
        case .duplicate:
            guard let raced = try await store.huabeiSettlement(seller: seller, outRequestNo: outRequestNo), raced.amount == amount,
                  raced.agreementNo == agreementNo else { throw HuabeiFailure.requestInfoInconsistent }
            return raced
        case .ended: throw HuabeiFailure.agreementTerminated
        case .released(.exceedsRemaining): throw HuabeiFailure.payAmountExceed
        case .released: throw HuabeiFailure.systemError
        }
    }
}
