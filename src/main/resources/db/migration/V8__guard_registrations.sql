-- Registration happens exactly once at the seams: one local row per remote execution of an AMC
-- instance, idempotent execution registration, and an audit of every endpoint change.

-- AMC execution ids belong to an instance, not to one of its workflows: two workflows of the same
-- instance must not both track one remote execution (their checks would race and disagree). The
-- poll loop relies on this index by name. Creating it fails if such duplicates already exist; the
-- runbook says how to find and resolve them before upgrading.
DROP INDEX workflow_executions_amc_execution_uq;

CREATE UNIQUE INDEX workflow_executions_instance_amc_execution_uq
    ON workflow_executions (amc_instance_id, amc_execution_id)
    WHERE amc_execution_id IS NOT NULL;

-- Idempotency-Key of POST /api/v1/executions: a repeat with the same key and request answers the
-- execution the first one created. The key row is written before its execution (same
-- transaction), so the foreign key is checked at commit.
CREATE TABLE execution_idempotency_keys (
    idempotency_key TEXT PRIMARY KEY,
    -- SHA-256 of the request body in a canonical form: a reuse with another body is refused.
    request_digest  TEXT        NOT NULL,
    execution_id    UUID        NOT NULL
        REFERENCES workflow_executions (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    created_at      TIMESTAMPTZ NOT NULL,
    expires_at      TIMESTAMPTZ NOT NULL
);

-- Housekeeping deletes expired keys in expires_at order.
CREATE INDEX execution_idempotency_keys_expires_idx ON execution_idempotency_keys (expires_at);

-- Where an instance's AMC calls (and its Login with Amazon token) go is an operator's decision,
-- recorded here with who made it; a registration never changes it.
CREATE TABLE amc_instance_endpoint_changes (
    id                    BIGSERIAL PRIMARY KEY,
    amc_instance_id       BIGINT      NOT NULL REFERENCES amc_instances (id),
    -- NULL: the configured default (poller.amc.api-base-url) was in use.
    previous_api_base_url TEXT,
    api_base_url          TEXT        NOT NULL,
    changed_by            TEXT        NOT NULL,
    changed_at            TIMESTAMPTZ NOT NULL,
    reason                TEXT
);

CREATE INDEX amc_instance_endpoint_changes_instance_idx
    ON amc_instance_endpoint_changes (amc_instance_id, id);
