import Foundation
import ZhifuCore
import ZhifuProtocol

/// A row of `huabei_agreements` joined with its hold.
struct HuabeiAgreementRecord: SQLRecord {
    static let select = """
        SELECT a.agreement_no, a.alipay_user_id, a.seller, a.status, p.id, p.debit_account, p.credit_account, p.amount, p.posted, p.voided, p.code,
               p.reference, p.created_at
        FROM huabei_agreements a JOIN pending_transfers p ON p.id = a.hold_id
        """

    var agreement: HuabeiAgreement

    init(row: SQLRow) throws {
        let status: String = try row["status"]
        guard status == "Y" || status == "N" else { throw StoreError.corrupt("huabei_agreements.status \(status)") }
        agreement = HuabeiAgreement(agreementNo: try row["agreement_no"], user: try row["alipay_user_id"], seller: try row["seller"], valid: status == "Y",
                                    hold: try PendingTransferRecord(row: row).pending)
    }
}

struct HuabeiSettlementRecord: SQLRecord {
    static let columns = "seller, out_request_no, agreement_no, amount, action_type, created_at"

    var settlement: HuabeiSettlement

    init(row: SQLRow) throws {
        settlement = HuabeiSettlement(seller: try row["seller"], outRequestNo: try row["out_request_no"], agreementNo: try row["agreement_no"],
                                      amount: try row["amount"], actionType: try row["action_type"], createdAt: try row["created_at"])
    }
}

/// Rolls a settlement back from inside its transaction.
private struct Refused: Error { var change: HuabeiChange }

extension SQLStore: HuabeiRepository {
    public func insertHuabeiAgreement(_ agreement: HuabeiAgreement) async throws -> Bool {
        do {
            return try await database.write { db in
                let held = try await Self.hold(agreement.hold, on: db)
                guard held == .created else { throw Refused(change: .duplicate) }
                try await db.execute("""
                    INSERT INTO huabei_agreements (agreement_no, alipay_user_id, seller, status, hold_id)
                    VALUES (\(agreement.agreementNo), \(agreement.user), \(agreement.seller), \(agreement.valid ? "Y" : "N"), \(agreement.hold.id))
                    """)
                return true
            }
        } catch is Refused {
            return false
        }
    }

    public func huabeiAgreement(agreementNo: String) async throws -> HuabeiAgreement? {
        try await database.read { db in
            try await db.fetchOne(HuabeiAgreementRecord.self, "\(unescaped: HuabeiAgreementRecord.select) WHERE a.agreement_no = \(agreementNo)")?.agreement
        }
    }

    public func huabeiSettlement(seller: UserId, outRequestNo: String) async throws -> HuabeiSettlement? {
        try await database.read { db in
            try await db.fetchOne(HuabeiSettlementRecord.self, """
                SELECT \(unescaped: HuabeiSettlementRecord.columns) FROM huabei_settlements WHERE seller = \(seller) AND out_request_no = \(outRequestNo)
                """)?.settlement
        }
    }

    public func settleHuabei(_ s: HuabeiSettlement, credit: UserId, terminate: Bool) async throws -> HuabeiChange {
        do {
            return try await database.write { db in
                let holdId = HuabeiAgreement.holdId(agreementNo: s.agreementNo)
                // The agreement row first (locked where rows lock): an ended agreement settles nothing.
                let status = try await db.fetchValue(String.self, """
                    SELECT status FROM huabei_agreements WHERE agreement_no = \(s.agreementNo)\(unescaped: db.dialect.lockRows)
                    """)
                guard status == "Y" else { throw Refused(change: .ended) }
                let transfer = Transfer(id: "huabei-" + Hex.lowercase(Digest.sha256(Array("\(s.seller.rawValue)\n\(s.outRequestNo)".utf8))).prefix(40),
                                        debit: credit, credit: s.seller, amount: s.amount, code: .huabeiAuth, reference: s.agreementNo, createdAt: s.createdAt)
                let posted = try await Self.release(s.amount, of: holdId, postingAs: transfer, on: db)
                guard posted == .changed else { throw Refused(change: .released(posted)) }
                if terminate {
                    if let rest = try await db.fetchValue(Amount.self, "SELECT amount - posted - voided FROM pending_transfers WHERE id = \(holdId)"), rest.fen > 0 {
                        _ = try await Self.release(rest, of: holdId, postingAs: nil, on: db)
                    }
                    try await db.execute("UPDATE huabei_agreements SET status = 'N' WHERE agreement_no = \(s.agreementNo)")
                }
                let inserted = try await db.execute("""
                    INSERT INTO huabei_settlements (\(unescaped: HuabeiSettlementRecord.columns))
                    VALUES (\(s.seller), \(s.outRequestNo), \(s.agreementNo), \(s.amount), \(s.actionType), \(s.createdAt))
                    ON CONFLICT DO NOTHING
                    """)
                guard inserted == 1 else { throw Refused(change: .duplicate) }
                return .changed
            }
        } catch let refused as Refused {
            return refused.change
        }
    }
}
