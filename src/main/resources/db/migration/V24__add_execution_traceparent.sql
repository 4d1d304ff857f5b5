-- The trace an execution was registered in (W3C traceparent, 55 characters), so the spans of its
-- checks, submission and result download continue it. NULL for executions registered before, or
-- without tracing.
ALTER TABLE workflow_executions ADD COLUMN traceparent varchar(55);
