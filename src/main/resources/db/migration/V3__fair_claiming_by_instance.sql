-- Fair claiming across AMC instances (issue 3): the claim takes due executions round-robin per
-- instance, so one instance with 10,000 due executions cannot starve the others. That needs the
-- instance on the execution row, with a partial index per instance in next_poll_at order.

ALTER TABLE workflow_executions ADD COLUMN amc_instance_id BIGINT REFERENCES amc_instances (id);

UPDATE workflow_executions e
   SET amc_instance_id = w.amc_instance_id
  FROM workflows w
 WHERE w.id = e.workflow_id;

ALTER TABLE workflow_executions ALTER COLUMN amc_instance_id SET NOT NULL;

-- A workflow never moves between instances, so the copy is filled in once, on insert, by the
-- database: every writer (API, seeder, tests, manual SQL) gets it right without knowing about it.
CREATE FUNCTION workflow_executions_set_instance() RETURNS trigger AS $$
BEGIN
    SELECT w.amc_instance_id INTO NEW.amc_instance_id FROM workflows w WHERE w.id = NEW.workflow_id;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER workflow_executions_set_instance_trg
    BEFORE INSERT ON workflow_executions
    FOR EACH ROW EXECUTE FUNCTION workflow_executions_set_instance();

CREATE INDEX workflow_executions_instance_due_idx
    ON workflow_executions (amc_instance_id, next_poll_at)
    WHERE status IN ('PENDING', 'RUNNING');
