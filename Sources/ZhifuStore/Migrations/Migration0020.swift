extension Migrations {
    /// Credits as entries (PostgreSQL): a posting locks only its debit account's row, and its credit
    /// goes into `account_credits` instead of updating the credit account's row. Every payment to
    /// one merchant credits the same account; with the row updated, each payment held that row's
    /// lock until its COMMIT, and the payments to a merchant went one at a time.
    ///
    /// An account's balance is its row's `balance` plus its entries; readers add them. An entry is
    /// folded into the row (deleted, its amount added) only under the row's lock: when a debit finds
    /// the row's balance short, when a hold locks the account, and by `zhifu_fold_all_credits`, which
    /// skips rows another transaction holds. So two folds of one account never overlap, and an entry
    /// committed meanwhile waits for the next. SQLite has one writer and no row locks: it keeps
    /// updating the row, and its table stays empty.
    static let v20 = Migration(name: "v20 credits as entries", sqlite: v20Table(integer: "INTEGER", key: "INTEGER PRIMARY KEY AUTOINCREMENT"),
                               postgres: v20Table(integer: "BIGINT", key: "BIGSERIAL PRIMARY KEY") + v20Functions)

    private static func v20Table(integer: String, key: String) -> [String] {
        [
            """
                CREATE TABLE account_credits (
                  seq \(key),
                  user_id TEXT NOT NULL REFERENCES accounts(user_id),
                  amount \(integer) NOT NULL CHECK (amount > 0)
                )
                """,
            "CREATE INDEX account_credits_user_id ON account_credits (user_id)",
        ]
    }

    private static let v20Functions = [
        // The caller holds the account's row lock.
        """
            CREATE FUNCTION zhifu_fold_credits(account TEXT) RETURNS BIGINT
            LANGUAGE plpgsql AS $$
            DECLARE
              folded BIGINT;
            BEGIN
              WITH taken AS (DELETE FROM account_credits c WHERE c.user_id = account RETURNING c.amount)
                SELECT coalesce(sum(taken.amount), 0) INTO folded FROM taken;
              IF folded > 0 THEN
                UPDATE accounts a SET balance = a.balance + folded WHERE a.user_id = account;
              END IF;
              RETURN folded;
            END
            $$
            """,
        // v19's function with the credit as an entry. The transfer's row is inserted before any
        // money moves, so that a posting of the same id by another debit account, committed
        // meanwhile, is answered as v19 answered it, not with a duplicate key.
        """
            CREATE OR REPLACE FUNCTION zhifu_post_transfer(transfer_id TEXT, debit TEXT, credit TEXT, amount BIGINT, code TEXT,
                                                           reference TEXT, created_at BIGINT, invalid TEXT) RETURNS TEXT
            LANGUAGE plpgsql AS $$
            DECLARE
              existing transfers%ROWTYPE;
              debit_kind TEXT;
              debit_available BIGINT;
            BEGIN
              SELECT l.kind, l.balance - l.frozen INTO debit_kind, debit_available
                FROM accounts l WHERE l.user_id = debit FOR NO KEY UPDATE;
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
              IF NOT EXISTS (SELECT 1 FROM accounts c WHERE c.user_id = credit) THEN
                RETURN 'creditAccountNotFound';
              END IF;
              IF debit_kind <> 'clearing' AND debit_available < amount THEN
                debit_available := debit_available + zhifu_fold_credits(debit);
                IF debit_available < amount THEN
                  RETURN 'exceedsBalance';
                END IF;
              END IF;
              INSERT INTO transfers (id, debit_account, credit_account, amount, code, reference, created_at)
                VALUES (transfer_id, debit, credit, amount, code, reference, created_at)
                ON CONFLICT (id) DO NOTHING;
              IF NOT FOUND THEN
                SELECT * INTO existing FROM transfers t WHERE t.id = transfer_id;
                IF (existing.debit_account, existing.credit_account, existing.amount, existing.code, existing.reference)
                   = (debit, credit, amount, code, reference) THEN
                  RETURN 'exists';
                END IF;
                RETURN 'existsWithDifferentPayload';
              END IF;
              UPDATE accounts a SET balance = a.balance - amount WHERE a.user_id = debit;
              INSERT INTO account_credits (user_id, amount) VALUES (credit, amount);
              RETURN 'created';
            END
            $$
            """,
        // Only the debit accounts are locked now, still in user-id order.
        """
            CREATE OR REPLACE FUNCTION zhifu_post_transfers(transfer_ids TEXT[], debits TEXT[], credits TEXT[], amounts BIGINT[], codes TEXT[],
                                                            refs TEXT[], created_ats BIGINT[], invalids TEXT[]) RETURNS TEXT[]
            LANGUAGE plpgsql AS $$
            DECLARE
              results TEXT[] := '{}';
            BEGIN
              PERFORM 1 FROM accounts a WHERE a.user_id = ANY (debits) ORDER BY a.user_id FOR NO KEY UPDATE;
              FOR i IN 1 .. cardinality(transfer_ids) LOOP
                results := array_append(results, zhifu_post_transfer(transfer_ids[i], debits[i], credits[i], amounts[i], codes[i],
                                                                      refs[i], created_ats[i], invalids[i]));
              END LOOP;
              RETURN results;
            END
            $$
            """,
        // Locks accounts in user-id order and folds their credits: the state a decision in Swift
        // (a hold, a payout) reads.
        """
            CREATE FUNCTION zhifu_lock_accounts(ids TEXT[]) RETURNS TABLE (user_id TEXT, kind TEXT, balance BIGINT, frozen BIGINT)
            LANGUAGE plpgsql AS $$
            #variable_conflict use_column
            BEGIN
              PERFORM zhifu_fold_credits(l.user_id)
                FROM (SELECT a.user_id FROM accounts a WHERE a.user_id = ANY (ids) ORDER BY a.user_id FOR NO KEY UPDATE) l;
              RETURN QUERY SELECT a.user_id, a.kind, a.balance, a.frozen FROM accounts a WHERE a.user_id = ANY (ids) ORDER BY a.user_id;
            END
            $$
            """,
        // Housekeeping, so that readers sum few entries: folds up to `max_accounts` accounts whose
        // rows no one holds, those with the oldest entries first (so a busy account cannot keep
        // the others waiting), and answers how many it folded. A row another transaction holds is
        // skipped and does not count.
        """
            CREATE FUNCTION zhifu_fold_all_credits(max_accounts BIGINT) RETURNS BIGINT
            LANGUAGE plpgsql AS $$
            DECLARE
              account TEXT;
              folded BIGINT := 0;
            BEGIN
              FOR account IN SELECT c.user_id FROM account_credits c GROUP BY c.user_id ORDER BY min(c.seq) LOOP
                EXIT WHEN folded >= max_accounts;
                PERFORM 1 FROM accounts a WHERE a.user_id = account FOR NO KEY UPDATE SKIP LOCKED;
                IF FOUND THEN
                  PERFORM zhifu_fold_credits(account);
                  folded := folded + 1;
                END IF;
              END LOOP;
              RETURN folded;
            END
            $$
            """,
    ]
}
