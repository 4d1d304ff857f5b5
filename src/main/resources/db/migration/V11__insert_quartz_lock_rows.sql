-- Quartz inserts its lock rows the first time it takes each lock. On a fresh database, replicas
-- starting together each found the row missing, each inserted it, and all but one failed to start
-- on qrtz_locks_pkey. With the rows in place, Quartz only ever locks them (SELECT ... FOR UPDATE).
-- 'QuarkusQuartzScheduler' is quarkus.quartz.instance-name's default, which this project keeps; a
-- renamed scheduler gets its rows from Quartz itself (serialized by the start lock, see
-- housekeeping/QuartzStartLock).
INSERT INTO qrtz_locks (sched_name, lock_name)
VALUES ('QuarkusQuartzScheduler', 'TRIGGER_ACCESS'),
       ('QuarkusQuartzScheduler', 'STATE_ACCESS')
ON CONFLICT DO NOTHING;
