-- The poll schedule learns each workflow's usual run time from the runs that completed recently
-- (PollSchedule, WorkflowDurations); its periodic read walks this index instead of the table.
CREATE INDEX workflow_executions_recorded_runs_idx
    ON workflow_executions (completed_at, workflow_id)
    INCLUDE (execution_duration)
    WHERE execution_duration IS NOT NULL;
