-- The poll loop updates every active execution row twice a check: the claim takes the lease
-- (lease_owner, lease_expires_at, version: no indexed column) and the outcome hands it back with
-- the next check time (next_poll_at, which the due indexes hold). The claim's update can be HOT
-- (heap-only: no new index entries) when the row's page has room for the new version; free space
-- left on every page gives it that room. The outcome's update changes an indexed column, so it
-- cannot be HOT: one index-touching update per check is the floor while due work is found through
-- an index on next_poll_at. Pages written before this change keep their fill until rewritten.
ALTER TABLE workflow_executions SET (fillfactor = 70);

-- A busy table makes dead row versions quickly (two per check); vacuum it after 2% of its rows
-- changed rather than the default 20%, so a million finished rows do not let the active rows'
-- dead versions pile up for minutes, and analyze as often so the claim's plans follow the
-- active set.
ALTER TABLE workflow_executions SET (
    autovacuum_vacuum_scale_factor = 0.02,
    autovacuum_analyze_scale_factor = 0.02
);

-- The audit trail only grows (retention deletes old rows in batches): vacuum it by inserts too,
-- so its visibility map stays current for index-only reads of an execution's events.
ALTER TABLE execution_events SET (
    autovacuum_vacuum_insert_scale_factor = 0.05,
    autovacuum_vacuum_scale_factor = 0.05
);
