-- Several servers deliver the outbox: a message is claimed (a lease) before it is sent, so it goes
-- out once per attempt, and after a failure it waits before the next attempt (back-off).
ALTER TABLE outbox ADD COLUMN claimed_until timestamptz;
ALTER TABLE outbox ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX outbox_pending_idx ON outbox (next_attempt_at, id) WHERE sent_at IS NULL;
