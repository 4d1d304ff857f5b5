-- A run AMC made for an execution whose row had moved on before the create's answer could be written
-- (cancelled, finished, tracking another run) is nobody's: the loop cancels it at AMC. It is recorded
-- here in the same transaction that decides it is nobody's, before the cancel is sent, so a cancel
-- that AMC refuses, or a process that dies first, is tried again by housekeeping until AMC has
-- cancelled it (or reports it ended): no AMC run is left running with nothing that remembers it.
CREATE TABLE remote_orphans (
    amc_instance_id  BIGINT      NOT NULL REFERENCES amc_instances (id),
    amc_execution_id TEXT        NOT NULL,
    -- The execution whose create made the run; its events record what became of it.
    execution_id     UUID        NOT NULL REFERENCES workflow_executions (id),
    found_at         TIMESTAMPTZ NOT NULL,
    attempts         INTEGER     NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL,
    last_error       TEXT,
    -- Set once AMC cancelled the run or reported it ended; the row is then kept for the audit.
    settled_at       TIMESTAMPTZ,
    PRIMARY KEY (amc_instance_id, amc_execution_id)
);

CREATE INDEX remote_orphans_due_idx ON remote_orphans (next_attempt_at) WHERE settled_at IS NULL;
