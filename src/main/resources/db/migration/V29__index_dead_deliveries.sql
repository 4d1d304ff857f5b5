-- The Problems page lists dead webhook deliveries, newest attempt first; they are few among many
-- delivered rows, so a partial index finds them without reading the outbox.
CREATE INDEX webhook_deliveries_dead_idx ON webhook_deliveries (last_attempt_at DESC, id)
    WHERE status = 'DEAD';
