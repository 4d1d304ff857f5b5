-- Bulk actions: an operator's cancel, retry or check-now over every execution a filter matched
-- (or a list of ids), worked in the background at a bounded rate. The executions are fixed when
-- the operator confirms (bulk_job_items), so a row that matches later is never touched.

CREATE TABLE bulk_jobs (
    id                UUID PRIMARY KEY,
    -- CANCEL, RETRY or CHECK_NOW (BulkAction).
    action            TEXT        NOT NULL,
    -- The operator's reason, as stored (StoredText); named in every execution's event.
    reason            TEXT        NOT NULL,
    -- Who confirmed it: the caller's name (role and token digest prefix, never the token).
    operator          TEXT        NOT NULL,
    -- What selected the executions, for the record: the filter as JSON, or "ids".
    selection         TEXT        NOT NULL,
    -- QUEUED, RUNNING, DONE or CANCELLED (BulkJobState).
    state             TEXT        NOT NULL,
    total             INTEGER     NOT NULL,
    done              INTEGER     NOT NULL DEFAULT 0,
    skipped           INTEGER     NOT NULL DEFAULT 0,
    failed            INTEGER     NOT NULL DEFAULT 0,
    -- The pace: items are owed at the configured rate from this instant on (BulkPace).
    paced_until       TIMESTAMPTZ NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    finished_at       TIMESTAMPTZ,
    -- The replica working it now, until lease_expires_at; one job is worked at a time.
    lease_owner       TEXT,
    lease_expires_at  TIMESTAMPTZ
);

CREATE INDEX bulk_jobs_open_idx ON bulk_jobs (created_at, id) WHERE finished_at IS NULL;

CREATE TABLE bulk_job_items (
    job_id        UUID        NOT NULL REFERENCES bulk_jobs (id) ON DELETE CASCADE,
    -- The order they are worked in (newest registered first, as the list shows them).
    position      INTEGER     NOT NULL,
    -- No foreign key: housekeeping may delete an old execution; its item is then skipped.
    execution_id  UUID        NOT NULL,
    -- NULL until worked: DONE, SKIPPED (nothing to do any more) or FAILED (BulkItemOutcome).
    outcome       TEXT,
    message       TEXT,
    -- How often a worker began it; above 1 only after a worker stopped mid-item (a crash).
    attempts      INTEGER     NOT NULL DEFAULT 0,
    finished_at   TIMESTAMPTZ,
    PRIMARY KEY (job_id, position),
    UNIQUE (job_id, execution_id)
);

CREATE INDEX bulk_job_items_todo_idx ON bulk_job_items (job_id, position) WHERE outcome IS NULL;
