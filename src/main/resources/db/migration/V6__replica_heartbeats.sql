-- Replica visibility (issue 5): each replica writes a heartbeat row, so operators and the admin
-- API can see who is polling, how far each got and what each has in flight.
CREATE TABLE replicas (
    replica_id          TEXT PRIMARY KEY,
    host                TEXT        NOT NULL,
    version             TEXT        NOT NULL,
    started_at          TIMESTAMPTZ NOT NULL,
    heartbeat_at        TIMESTAMPTZ NOT NULL,
    -- Whether this replica runs the poll loop at all.
    polling             BOOLEAN     NOT NULL,
    last_cycle_at       TIMESTAMPTZ,
    last_progress_at    TIMESTAMPTZ NOT NULL,
    checks_in_flight    INTEGER     NOT NULL,
    downloads_in_flight INTEGER     NOT NULL,
    -- Set on a graceful stop; a crashed replica just stops beating.
    stopped_at          TIMESTAMPTZ
);
