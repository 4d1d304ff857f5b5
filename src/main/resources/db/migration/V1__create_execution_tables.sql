-- Core schema. Table names follow the seed design (amc_accounts, amc_instances, workflows,
-- workflow_executions) so its users find their way; execution_events is the append-only audit.

CREATE TABLE amc_accounts (
    id             BIGSERIAL PRIMARY KEY,
    -- AMC entity id, sent as Amazon-Advertising-API-AdvertiserId.
    account_id     TEXT        NOT NULL,
    marketplace_id TEXT        NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    CONSTRAINT amc_accounts_entity_marketplace_uq UNIQUE (account_id, marketplace_id)
);

CREATE TABLE amc_instances (
    id             BIGSERIAL PRIMARY KEY,
    instance_id    TEXT        NOT NULL,
    amc_account_id BIGINT      NOT NULL REFERENCES amc_accounts (id),
    -- Regional endpoint for this instance; NULL means the configured default.
    api_base_url   TEXT,
    created_at     TIMESTAMPTZ NOT NULL,
    CONSTRAINT amc_instances_instance_account_uq UNIQUE (instance_id, amc_account_id)
);

CREATE TABLE workflows (
    id                        UUID PRIMARY KEY,
    amc_instance_id           BIGINT      NOT NULL REFERENCES amc_instances (id),
    name                      TEXT,
    -- Exactly one of a saved remote workflow or an ad hoc query.
    amc_workflow_id           TEXT,
    sql_query                 TEXT,
    max_runtime_seconds       INTEGER CHECK (max_runtime_seconds > 0),
    warning_threshold_seconds INTEGER CHECK (warning_threshold_seconds > 0),
    created_at                TIMESTAMPTZ NOT NULL,
    updated_at                TIMESTAMPTZ NOT NULL,
    CONSTRAINT workflows_one_source_ck CHECK ((amc_workflow_id IS NULL) <> (sql_query IS NULL))
);

CREATE TABLE workflow_executions (
    id                      UUID PRIMARY KEY,
    workflow_id             UUID        NOT NULL REFERENCES workflows (id),
    amc_execution_id        TEXT,
    status                  TEXT        NOT NULL,
    remote_status           TEXT,
    status_reason           TEXT,
    created_at              TIMESTAMPTZ NOT NULL,
    updated_at              TIMESTAMPTZ NOT NULL,
    -- Written before the create call is sent, so an unanswered create can be recognised later.
    submit_attempted_at     TIMESTAMPTZ,
    submitted_at            TIMESTAMPTZ,
    started_at              TIMESTAMPTZ,
    completed_at            TIMESTAMPTZ,
    remote_expire_time      TIMESTAMPTZ,
    remote_timeout_seconds  INTEGER,
    next_poll_at            TIMESTAMPTZ NOT NULL,
    last_polled_at          TIMESTAMPTZ,
    poll_count              INTEGER     NOT NULL DEFAULT 0,
    consecutive_poll_errors INTEGER     NOT NULL DEFAULT 0,
    last_error              TEXT,
    last_error_at           TIMESTAMPTZ,
    error_type              TEXT,
    error_message           TEXT,
    retry_count             INTEGER     NOT NULL DEFAULT 0,
    next_retry_at           TIMESTAMPTZ,
    lease_owner             TEXT,
    lease_expires_at        TIMESTAMPTZ,
    version                 BIGINT      NOT NULL DEFAULT 0,
    parameters              JSONB       NOT NULL DEFAULT '{}'::jsonb,
    time_window             JSONB,
    result_rows             BIGINT,
    result_size_bytes       BIGINT,
    execution_duration      INTEGER,
    CONSTRAINT workflow_executions_status_ck
        CHECK (status IN ('PENDING', 'RUNNING', 'SUCCESS', 'FAILED', 'CANCELLED', 'TIMEOUT')),
    CONSTRAINT workflow_executions_error_type_ck
        CHECK (error_type IS NULL OR error_type IN ('AMC_API_ERROR', 'TIMEOUT_ERROR', 'AUTHENTICATION_ERROR',
            'PERMISSION_ERROR', 'QUERY_ERROR', 'RESOURCE_ERROR', 'NETWORK_ERROR', 'UNKNOWN_ERROR'))
);

-- Claiming due work walks this partial index in next_poll_at order, so a claim costs O(batch)
-- however many terminal executions the table holds.
CREATE INDEX workflow_executions_due_idx
    ON workflow_executions (next_poll_at)
    WHERE status IN ('PENDING', 'RUNNING');

-- One remote execution is tracked by at most one local row.
CREATE UNIQUE INDEX workflow_executions_amc_execution_uq
    ON workflow_executions (workflow_id, amc_execution_id)
    WHERE amc_execution_id IS NOT NULL;

CREATE INDEX workflow_executions_workflow_created_idx ON workflow_executions (workflow_id, created_at DESC);
CREATE INDEX workflow_executions_created_idx ON workflow_executions (created_at DESC, id);

CREATE TABLE execution_events (
    -- Global sequence: the audit trail is read "since sequence N".
    id               BIGSERIAL PRIMARY KEY,
    execution_id     UUID        NOT NULL REFERENCES workflow_executions (id),
    occurred_at      TIMESTAMPTZ NOT NULL,
    type             TEXT        NOT NULL,
    -- Attempt number (retry_count at the time): the same transition may legitimately recur after a retry.
    attempt          INTEGER     NOT NULL,
    from_status      TEXT,
    to_status        TEXT,
    remote_status    TEXT,
    amc_execution_id TEXT,
    message          TEXT,
    replica          TEXT
);

CREATE INDEX execution_events_execution_idx ON execution_events (execution_id, id);

-- A transition is applied once per attempt; a second insert means something raced, and must fail.
CREATE UNIQUE INDEX execution_events_transition_once_uq
    ON execution_events (execution_id, attempt, from_status, to_status)
    WHERE type = 'TRANSITION';
