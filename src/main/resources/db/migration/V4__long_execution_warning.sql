-- Per-execution runtime limits (issue 5): the LONG_EXECUTION warning is recorded once per attempt;
-- this remembers that it was.
ALTER TABLE workflow_executions ADD COLUMN long_execution_warned_at TIMESTAMPTZ;
