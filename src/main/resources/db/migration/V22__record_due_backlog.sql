-- The dashboard's charts over the last day. The due-check backlog is a figure of the moment, so
-- replicas sample it into this table (one row per sampling slot; the first replica to write a slot
-- wins) and the charts read a day of it back. Samples older than two days are deleted by the
-- sampler itself.
CREATE TABLE due_backlog_samples (
    sampled_at TIMESTAMPTZ PRIMARY KEY,
    -- Active executions due at sampled_at and not yet checked.
    due        BIGINT      NOT NULL
);

-- Completions per hour and run-time percentiles read executions by completion time; without this
-- index every chart would scan all finished executions.
CREATE INDEX workflow_executions_completed_idx
    ON workflow_executions (completed_at)
    WHERE completed_at IS NOT NULL;
