-- The live event stream reads the audit trail in commit-safe order. The sequence (id) is handed out
-- at insert, not at commit, so a transaction held open can commit an event below one already
-- streamed. Each event keeps the id of the transaction that wrote it; the stream reads in
-- (xid, id) order and only events whose transaction is older than every transaction still in
-- progress (pg_snapshot_xmin), so nothing can commit behind a reader (ADR 0009).
-- Added without a rewrite: older events keep NULL and read as transaction 0, before any other.
ALTER TABLE execution_events ADD COLUMN xid xid8;
ALTER TABLE execution_events ALTER COLUMN xid SET DEFAULT pg_current_xact_id();

CREATE INDEX execution_events_commit_order_idx
    ON execution_events ((COALESCE(xid, '0'::xid8)), id);
