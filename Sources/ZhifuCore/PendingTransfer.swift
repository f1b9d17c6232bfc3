import Foundation
import ZhifuProtocol

/// A two-phase transfer (TigerBeetle's pending transfer): the debit account's money is held — still
/// in its balance, counted in its `frozen` amount, not spendable — until parts of it are posted to
/// the credit account (each a ``Transfer`` of its own) or voided back. Fund authorisation
/// (预授权) freezes a buyer's money this way for one merchant.
public struct PendingTransfer: Sendable, Equatable {
    /// The client's idempotency key: the same id twice holds once.
    public var id: String
    public var debit: UserId
    /// The only account posts may credit: money held for one merchant cannot pay another.
    public var credit: UserId
    public var amount: Amount
    /// Posted to the credit account so far.
    public var posted: Amount
    /// Released back to the debit account so far.
    public var voided: Amount
    public var code: TransferCode
    public var reference: String
    public var createdAt: Date

    public init(id: String, debit: UserId, credit: UserId, amount: Amount, posted: Amount = .zero, voided: Amount = .zero,
                code: TransferCode, reference: String, createdAt: Date) {
        self.id = id; self.debit = debit; self.credit = credit; self.amount = amount; self.posted = posted; self.voided = voided
        self.code = code; self.reference = reference; self.createdAt = createdAt
    }

    /// Still held: neither posted nor voided.
    public var remaining: Amount { Amount(fen: amount.fen - posted.fen - voided.fen) }

    /// Whether two holds carry the same payload (creation time and progress aside): for idempotency.
    public func samePayload(as other: PendingTransfer) -> Bool {
        id == other.id && debit == other.debit && credit == other.credit && amount == other.amount && code == other.code
            && reference == other.reference
    }
}

/// The outcome of posting or voiding part of a pending transfer, first applicable reported.
public enum PendingTransferResult: String, Sendable, Equatable {
    case changed
    case pendingNotFound
    /// A post names other accounts than the hold's.
    case accountsMismatch
    case amountMustBePositive
    /// More than what is still held.
    case exceedsRemaining
}

/// The rules of holding, shared by every store, like ``LedgerPosting``.
public enum PendingPosting {
    /// Whether `pending` may be held: `debit` must be a user account with that much available
    /// (balance less what is already frozen).
    public static func decideHold(_ pending: PendingTransfer, existing: PendingTransfer?, debit: LedgerAccountState?,
                                  credit: LedgerAccountState?) -> TransferResult? {
        if let existing { return existing.samePayload(as: pending) ? .exists : .existsWithDifferentPayload }
        let asTransfer = Transfer(id: pending.id, debit: pending.debit, credit: pending.credit, amount: pending.amount, code: pending.code,
                                  reference: pending.reference, createdAt: pending.createdAt)
        if let invalid = TransferResult.validate(asTransfer) { return invalid }
        guard let debit, debit.kind == .user else { return .debitAccountNotFound }
        guard credit != nil else { return .creditAccountNotFound }
        if debit.available < pending.amount { return .exceedsBalance }
        return nil
    }

    /// Whether `amount` of `pending` may be posted (with `debit`/`credit`) or voided (`nil` accounts).
    public static func decideRelease(_ amount: Amount, of pending: PendingTransfer?, debit: UserId? = nil, credit: UserId? = nil) -> PendingTransferResult? {
        guard let pending else { return .pendingNotFound }
        if let debit, debit != pending.debit { return .accountsMismatch }
        if let credit, credit != pending.credit { return .accountsMismatch }
        if amount.fen <= 0 { return .amountMustBePositive }
        if amount > pending.remaining { return .exceedsRemaining }
        return nil
    }
}
