extension Migrations {
    /// PostgreSQL posts a transfer in one round trip: `zhifu_post_transfer` runs the posting's
    /// statements on the server and answers with a ``TransferResult`` raw value. SQLite, in the
    /// gateway's process, has no round trips to save and keeps deciding in Swift.
    ///
    /// The function applies ``LedgerPosting/decide(_:existing:debit:credit:)``'s database checks in
    /// the same precedence: an earlier transfer with the id (same payload or not), then the checks
    /// that need no database (decided by the caller and passed in as `invalid`), then the two
    /// accounts, then the debit's available balance. It locks the accounts in user-id order before
    /// it looks for the id, so that a second posting of the same id waits and answers `exists`.
    /// The conformance suite runs every result on both stores.
    static let v19 = Migration(name: "v19 zhifu_post_transfer", sqlite: [], postgres: [
        """
            CREATE FUNCTION zhifu_post_transfer(transfer_id TEXT, debit TEXT, credit TEXT, amount BIGINT, code TEXT,
                                                reference TEXT, created_at BIGINT, invalid TEXT) RETURNS TEXT
            LANGUAGE plpgsql AS $$
            DECLARE
              existing transfers%ROWTYPE;
              debit_kind TEXT;
              debit_available BIGINT;
              credit_found BOOLEAN;
            BEGIN
              -- Both accounts locked and read in one statement: the fewer statements, the less each posting costs the server.
              SELECT max(a.kind) FILTER (WHERE a.user_id = debit), max(a.balance - a.frozen) FILTER (WHERE a.user_id = debit),
                     coalesce(bool_or(a.user_id = credit), false)
                INTO debit_kind, debit_available, credit_found
                FROM (SELECT l.user_id, l.kind, l.balance, l.frozen FROM accounts l WHERE l.user_id IN (debit, credit)
                      ORDER BY l.user_id FOR NO KEY UPDATE) a;
              SELECT * INTO existing FROM transfers t WHERE t.id = transfer_id;
              IF FOUND THEN
                IF (existing.debit_account, existing.credit_account, existing.amount, existing.code, existing.reference)
                   = (debit, credit, amount, code, reference) THEN
                  RETURN 'exists';
                END IF;
                RETURN 'existsWithDifferentPayload';
              END IF;
              IF invalid IS NOT NULL THEN
                RETURN invalid;
              END IF;
              IF debit_kind IS NULL THEN
                RETURN 'debitAccountNotFound';
              END IF;
              IF NOT credit_found THEN
                RETURN 'creditAccountNotFound';
              END IF;
              IF debit_kind <> 'clearing' AND debit_available < amount THEN
                RETURN 'exceedsBalance';
              END IF;
              UPDATE accounts a SET balance = a.balance + CASE WHEN a.user_id = credit THEN amount ELSE -amount END
                WHERE a.user_id IN (debit, credit);
              INSERT INTO transfers (id, debit_account, credit_account, amount, code, reference, created_at)
                VALUES (transfer_id, debit, credit, amount, code, reference, created_at);
              RETURN 'created';
            END
            $$
            """,
        // Several postings in one statement (group commit): every account they touch is locked
        // in user-id order before the first is posted, so two such statements never deadlock.
        """
            CREATE FUNCTION zhifu_post_transfers(transfer_ids TEXT[], debits TEXT[], credits TEXT[], amounts BIGINT[], codes TEXT[],
                                                 refs TEXT[], created_ats BIGINT[], invalids TEXT[]) RETURNS TEXT[]
            LANGUAGE plpgsql AS $$
            DECLARE
              results TEXT[] := '{}';
            BEGIN
              PERFORM 1 FROM accounts a WHERE a.user_id = ANY (debits || credits) ORDER BY a.user_id FOR NO KEY UPDATE;
              FOR i IN 1 .. cardinality(transfer_ids) LOOP
                results := array_append(results, zhifu_post_transfer(transfer_ids[i], debits[i], credits[i], amounts[i], codes[i],
                                                                      refs[i], created_ats[i], invalids[i]));
              END LOOP;
              RETURN results;
            END
            $$
            """,
    ])
}
