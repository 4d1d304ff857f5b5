-- POST /executions/{id}/retry runs a finished execution again as a new execution linked to the old
-- one. One retry per execution: a second click answers 409 with the first retry instead of
-- submitting the query twice.
ALTER TABLE workflow_executions ADD COLUMN retry_of UUID REFERENCES workflow_executions (id);

CREATE UNIQUE INDEX workflow_executions_retry_of_uq
    ON workflow_executions (retry_of)
    WHERE retry_of IS NOT NULL;

-- GET /executions?status=... lists newest first within a status.
CREATE INDEX workflow_executions_status_created_idx
    ON workflow_executions (status, created_at DESC, id);
