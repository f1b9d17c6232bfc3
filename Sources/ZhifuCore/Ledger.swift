import Foundation
import ZhifuProtocol

/// An immutable movement of money from one account to another. Mistakes are corrected with new
/// transfers, never by changing old ones.
public struct Transfer: Sendable, Equatable {
    /// The client's idempotency key: the same id twice posts once.
    public var id: String
    /// The account whose balance goes down.
    public var debit: UserId
    /// The account whose balance goes up.
    public var credit: UserId
    public var amount: Amount
    /// What kind of movement this is.
    public var code: TransferCode
    /// The business object it belongs to (a batch number, a trade number).
    public var reference: String
    public var createdAt: Date

    public init(id: String, debit: UserId, credit: UserId, amount: Amount, code: TransferCode, reference: String, createdAt: Date) {
        self.id = id; self.debit = debit; self.credit = credit; self.amount = amount
        self.code = code; self.reference = reference; self.createdAt = createdAt
    }

    /// Whether two transfers carry the same payload (creation time aside): for idempotency.
    public func samePayload(as other: Transfer) -> Bool {
        id == other.id && debit == other.debit && credit == other.credit && amount == other.amount
            && code == other.code && reference == other.reference
    }

    /// Limits: ids and codes are short keys; 10^12 fen bounds every amount far below Int64 overflow.
    public static let maximumIdLength = 64
    public static let maximumAmount = Amount(fen: 1_000_000_000_000)
}

/// What kind of movement a transfer is; stored as the raw value.
public enum TransferCode: String, Sendable, Codable, CaseIterable {
    /// An opening balance from the clearing account.
    case funding
    /// One record of a `batch_trans_notify` batch.
    case batchTrans = "batch_trans"
    case tradePay = "trade_pay"
    case tradeRefund = "trade_refund"
    /// A royalty paid on by `alipay.trade.order.settle`.
    case tradeSettle = "trade_settle"
    /// A service fee returned with a `refund_fastpay_by_platform_pwd` record (返还服务费).
    case refundFee = "refund_fee"
    /// A sandbox's change of a balance (ZhifuTesting's fault switches), to or from the clearing account.
    case adjustment = "sandbox_adjustment"
    /// A buyer's money held for a merchant by `alipay.fund.auth.order.freeze` (a pending transfer).
    case fundAuthFreeze = "fund_auth_freeze"
    /// A MYbank terminal payment into (or refund out of) a merchant's balance.
    case mybankOrder = "mybank_order"
    /// Huabei credit frozen for a merchant by a pre-authorisation agreement (a pending transfer).
    case huabeiAuth = "huabei_auth"
    /// One row of a batch-pay-to-bank file paid out to the bank (its id is the 提现流水号).
    case bptbPayout = "bptb_payout"
    /// A row the bank refused (退票), its money returned to the merchant.
    case bptbRefund = "bptb_refund"
}

/// The outcome of posting one transfer, in order of precedence: the first that applies is reported.
public enum TransferResult: String, Sendable, Equatable, CaseIterable {
    case created
    /// Posted before with the same payload: nothing happens again.
    case exists
    /// The id was used before for a different transfer.
    case existsWithDifferentPayload
    case idMustBeValid
    case amountMustBePositive
    case amountExceedsLimit
    case accountsMustBeDifferent
    case debitAccountNotFound
    case creditAccountNotFound
    /// The debit account would go negative (only clearing accounts may).
    case exceedsBalance

    /// `created` and `exists` both mean the money has moved exactly once.
    public var isPosted: Bool { self == .created || self == .exists }

    /// The checks that need no database, in precedence order after the idempotency lookup.
    public static func validate(_ transfer: Transfer) -> TransferResult? {
        if transfer.id.isEmpty || transfer.id.utf8.count > Transfer.maximumIdLength { return .idMustBeValid }
        if transfer.amount.fen <= 0 { return .amountMustBePositive }
        if transfer.amount > Transfer.maximumAmount { return .amountExceedsLimit }
        if transfer.debit == transfer.credit { return .accountsMustBeDifferent }
        return nil
    }
}

/// What an audit of the whole ledger found. A healthy ledger has `isBalanced`.
public struct LedgerAudit: Sendable, Equatable, CustomStringConvertible {
    public var accounts: Int
    public var transfers: Int
    /// Sum of every balance, clearing accounts included: always zero, since every account starts at
    /// zero and every transfer moves money without creating it.
    public var balanceSum: Int64
    /// Non-clearing accounts below zero.
    public var negativeUserAccounts: Int
    /// Accounts whose balance differs from the sum of their credits minus their debits.
    public var mismatchedAccounts: Int
    /// Accounts whose frozen amount differs from what their pending transfers still hold, or
    /// exceeds their balance; pending transfers posted or voided beyond their amount.
    public var mismatchedHolds: Int

    public init(accounts: Int, transfers: Int, balanceSum: Int64, negativeUserAccounts: Int, mismatchedAccounts: Int, mismatchedHolds: Int = 0) {
        self.accounts = accounts; self.transfers = transfers; self.balanceSum = balanceSum
        self.negativeUserAccounts = negativeUserAccounts; self.mismatchedAccounts = mismatchedAccounts; self.mismatchedHolds = mismatchedHolds
    }

    public var isBalanced: Bool { balanceSum == 0 && negativeUserAccounts == 0 && mismatchedAccounts == 0 && mismatchedHolds == 0 }

    public var description: String {
        "\(accounts) accounts, \(transfers) transfers, balance sum \(balanceSum), \(negativeUserAccounts) negative, \(mismatchedAccounts) mismatched, \(mismatchedHolds) holds mismatched: \(isBalanced ? "balanced" : "NOT BALANCED")"
    }
}

/// The clearing account every fund enters through (fixtures' opening balances, top-ups).
public enum SystemAccounts {
    public static let clearing = UserId("2088000000000001")!

    public static var clearingAccount: Account {
        Account(userId: clearing, logonId: "clearing@zhifu.local", name: "支付宝清算账户", kind: .clearing, passwordHash: nil)
    }
}

/// What a store reads about an account inside a posting transaction.
public struct LedgerAccountState: Sendable {
    public var kind: AccountKind
    public var balance: Amount
    /// Held by pending transfers: in the balance, but not spendable.
    public var frozen: Amount
    public init(kind: AccountKind, balance: Amount, frozen: Amount = .zero) { self.kind = kind; self.balance = balance; self.frozen = frozen }

    /// What a transfer may spend.
    public var available: Amount { Amount(fen: balance.fen - frozen.fen) }
}

/// The posting rules, shared by every store: a store reads the existing transfer with this id and
/// the two accounts (locked) inside its transaction, asks ``decide``, and writes only on `nil`.
public enum LedgerPosting {
    public static func decide(_ transfer: Transfer, existing: Transfer?, debit: LedgerAccountState?, credit: LedgerAccountState?) -> TransferResult? {
        if let existing { return existing.samePayload(as: transfer) ? .exists : .existsWithDifferentPayload }
        if let invalid = TransferResult.validate(transfer) { return invalid }
        guard let debit else { return .debitAccountNotFound }
        guard credit != nil else { return .creditAccountNotFound }
        if debit.kind != .clearing, debit.available < transfer.amount { return .exceedsBalance }
        return nil
    }
}
