-- Notifications: webhook subscriptions, and the outbox of deliveries owed to them. A delivery row
-- is written by a trigger on execution_events, so it commits in the same transaction as the
-- change its event reports, whichever of the writers inserted the event (ADR 0009).

CREATE TABLE webhook_subscriptions (
    id                         UUID PRIMARY KEY,
    url                        TEXT        NOT NULL,
    -- Event kinds sent to it (execution.succeeded, ...); never empty.
    event_types                TEXT[]      NOT NULL CHECK (cardinality(event_types) > 0),
    -- Optional filters; both NULL means every execution.
    workflow_id                UUID        REFERENCES workflows (id) ON DELETE CASCADE,
    instance_id                TEXT,
    -- Set for the callbackUrl of one execution: only that execution's events go to it.
    execution_id               UUID        REFERENCES workflow_executions (id) ON DELETE CASCADE,
    description                TEXT,
    -- A disabled subscription is owed nothing new; a paused one keeps its deliveries until resumed.
    enabled                    BOOLEAN     NOT NULL,
    paused_at                  TIMESTAMPTZ,
    -- The signing secret (whsec_...). Stored as is: signing needs it.
    secret                     TEXT        NOT NULL,
    -- After a rotation the old secret signs too, until previous_secret_until.
    previous_secret            TEXT,
    previous_secret_until      TIMESTAMPTZ,
    created_at                 TIMESTAMPTZ NOT NULL,
    updated_at                 TIMESTAMPTZ NOT NULL
);

CREATE INDEX webhook_subscriptions_execution_idx ON webhook_subscriptions (execution_id)
    WHERE execution_id IS NOT NULL;

CREATE TABLE webhook_deliveries (
    -- Sent as webhook-id: the same on every attempt, so receivers deduplicate by it.
    id               UUID PRIMARY KEY,
    subscription_id  UUID        NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    -- The execution_events row it reports (no foreign key: housekeeping deletes old events).
    event_id         BIGINT      NOT NULL,
    execution_id     UUID        NOT NULL,
    event_type       TEXT        NOT NULL,
    status           TEXT        NOT NULL,
    -- When the reported change happened (the writer's clock).
    occurred_at      TIMESTAMPTZ NOT NULL,
    -- max-age counts from here: the event's time, or an operator's redelivery.
    due_since        TIMESTAMPTZ NOT NULL,
    -- The database's clock when the row was written: delivery latency is measured from here.
    created_at       TIMESTAMPTZ NOT NULL,
    next_attempt_at  TIMESTAMPTZ NOT NULL,
    attempts         INTEGER     NOT NULL DEFAULT 0,
    lease_owner      TEXT,
    lease_expires_at TIMESTAMPTZ,
    -- The JSON body, fixed before the first attempt so every attempt sends the same bytes.
    payload          TEXT,
    last_attempt_at  TIMESTAMPTZ,
    last_status_code INTEGER,
    last_error       TEXT,
    delivered_at     TIMESTAMPTZ,
    CONSTRAINT webhook_deliveries_status_ck CHECK (status IN ('PENDING', 'DELIVERED', 'DEAD')),
    CONSTRAINT webhook_deliveries_once_uq UNIQUE (subscription_id, event_id, event_type)
);

-- Claiming due deliveries walks this partial index, like the poll loop's claim.
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at)
    WHERE status = 'PENDING';
CREATE INDEX webhook_deliveries_subscription_idx
    ON webhook_deliveries (subscription_id, created_at DESC, id);
CREATE INDEX webhook_deliveries_execution_idx ON webhook_deliveries (execution_id, created_at, id);

-- Which events notify, and as what. RESULT_FAILED reports the result step and also that the
-- execution succeeded: its result step ended without a download.
CREATE FUNCTION webhook_event_kinds(event_type TEXT, to_status TEXT) RETURNS TEXT[]
    LANGUAGE sql IMMUTABLE AS
$$
SELECT CASE
           WHEN event_type = 'TRANSITION' AND to_status = 'FAILED'
               THEN ARRAY ['execution.failed']
           WHEN event_type = 'TRANSITION' AND to_status = 'CANCELLED'
               THEN ARRAY ['execution.cancelled']
           WHEN event_type = 'TRANSITION' AND to_status = 'TIMEOUT'
               THEN ARRAY ['execution.timed_out']
           WHEN event_type = 'RESULT_STORED' THEN ARRAY ['execution.succeeded']
           WHEN event_type = 'RESULT_FAILED' THEN ARRAY ['execution.succeeded', 'result.failed']
           -- AMC delivers nothing to download (its DOWNLOAD channel): the step ended without one.
           WHEN event_type = 'RESULT_UNDELIVERABLE' THEN ARRAY ['execution.succeeded']
           WHEN event_type = 'LONG_EXECUTION' THEN ARRAY ['execution.long_running']
           WHEN event_type = 'STUCK' THEN ARRAY ['execution.stuck']
           END
$$;

CREATE FUNCTION webhook_outbox_write() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    INSERT INTO webhook_deliveries
           (id, subscription_id, event_id, execution_id, event_type, status, occurred_at,
            due_since, created_at, next_attempt_at)
    SELECT gen_random_uuid(), s.id, NEW.id, NEW.execution_id, kind, 'PENDING', NEW.occurred_at,
           NEW.occurred_at, clock_timestamp(), NEW.occurred_at
      FROM unnest(webhook_event_kinds(NEW.type, NEW.to_status)) AS kind
      JOIN webhook_subscriptions s ON s.enabled AND kind = ANY (s.event_types)
      JOIN workflow_executions e ON e.id = NEW.execution_id
      JOIN workflows w ON w.id = e.workflow_id
      JOIN amc_instances i ON i.id = w.amc_instance_id
     WHERE (s.execution_id IS NULL OR s.execution_id = NEW.execution_id)
       AND (s.workflow_id IS NULL OR s.workflow_id = e.workflow_id)
       AND (s.instance_id IS NULL OR s.instance_id = i.instance_id)
    ON CONFLICT ON CONSTRAINT webhook_deliveries_once_uq DO NOTHING;
    RETURN NULL;
END
$$;

-- Only the kinds that notify pay for the trigger; the poll loop's other events do not.
CREATE TRIGGER execution_events_webhook_outbox
    AFTER INSERT ON execution_events
    FOR EACH ROW
    WHEN (webhook_event_kinds(NEW.type, NEW.to_status) IS NOT NULL)
EXECUTE FUNCTION webhook_outbox_write();

-- An execution enters the stuck list once per reason; the first sighting is what notifies.
CREATE TABLE execution_stuck_sightings (
    execution_id  UUID        NOT NULL REFERENCES workflow_executions (id) ON DELETE CASCADE,
    reason        TEXT        NOT NULL,
    first_seen_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (execution_id, reason)
);
