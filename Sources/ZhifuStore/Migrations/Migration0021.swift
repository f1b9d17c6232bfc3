extension Migrations {
    /// A trade change in one statement (PostgreSQL). A payment was BEGIN, the trade's insert, the
    /// payment code's use, the posting, the notification and COMMIT: six round trips, each parsed
    /// and planned by the server. Now the writes are one statement (data-modifying CTEs) whose
    /// result is this function's: it says whether each part did what the change needs and, if one
    /// did not, raises SQLSTATE ZR001 with the outcome, so that the statement — a transaction of
    /// its own — is rolled back whole. SQLite has no round trips to save and keeps its transaction.
    static let v21 = Migration(name: "v21 trade change in one statement", sqlite: [], postgres: [
        // In the precedence the transaction kept: a stale trade first, then the payment code, then
        // the postings in order ('created' and 'exists' are TransferResult.isPosted).
        """
            CREATE FUNCTION zhifu_trade_change(trades BIGINT, codes BIGINT, postings TEXT[]) RETURNS TEXT
            LANGUAGE plpgsql AS $$
            DECLARE
              posting TEXT;
            BEGIN
              IF trades <> 1 THEN
                RAISE EXCEPTION USING ERRCODE = 'ZR001', MESSAGE = 'stale';
              END IF;
              IF codes IS NOT NULL AND codes <> 1 THEN
                RAISE EXCEPTION USING ERRCODE = 'ZR001', MESSAGE = 'paymentCodeUnusable';
              END IF;
              FOREACH posting IN ARRAY postings LOOP
                IF posting IS NULL OR posting NOT IN ('created', 'exists') THEN
                  RAISE EXCEPTION USING ERRCODE = 'ZR001', MESSAGE = 'refused ' || coalesce(posting, 'NULL');
                END IF;
              END LOOP;
              RETURN 'changed';
            END
            $$
            """,
    ])
}
