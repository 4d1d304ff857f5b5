-- attempts counts every claim of a result download and only grows: it is the fencing token that
-- guards each write of an attempt, and a number reused after a decrement could let a stale writer
-- pass for the current one. Claims that end without counting against max-attempts (a call deferred
-- by the remote gate, a claim handed back on shutdown) are counted here instead, so the attempts
-- that count are attempts - uncounted_attempts. A claim whose replica dies is never handed back,
-- so it counts: a result that keeps killing its replicas runs out of attempts.
-- Until now uncounted claims were subtracted from attempts, so 0 is right for every existing row.
ALTER TABLE execution_results ADD COLUMN uncounted_attempts INTEGER NOT NULL DEFAULT 0;
