-- Admission within AMC's quotas: why a PENDING execution waits locally instead of being created,
-- an instance held back after AMC refused a create for a quota, and the ad hoc creates of each
-- instance per UTC day (AMC caps them per instance per day; a retry is a new create and counts).

ALTER TABLE workflow_executions ADD COLUMN queued_reason TEXT;

ALTER TABLE amc_instances
    ADD COLUMN admission_held_until  TIMESTAMPTZ,
    ADD COLUMN admission_held_reason TEXT;

CREATE TABLE ad_hoc_creates (
    amc_instance_id BIGINT  NOT NULL REFERENCES amc_instances (id),
    utc_day         DATE    NOT NULL,
    creates         INTEGER NOT NULL CHECK (creates >= 0),
    PRIMARY KEY (amc_instance_id, utc_day)
);

-- What admission counts under the instance's lock: executions that are (or may be) at AMC, that
-- is active and either holding a remote id or with a create on record.
CREATE INDEX workflow_executions_at_amc_idx
    ON workflow_executions (amc_instance_id, workflow_id)
    WHERE status IN ('PENDING', 'RUNNING')
      AND (amc_execution_id IS NOT NULL OR submit_attempted_at IS NOT NULL);
