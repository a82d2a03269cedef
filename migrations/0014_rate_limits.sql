-- Rate limits shared by every server: hits counted per key and fixed window. Servers reserve
-- small blocks of hits at a time (rate-limits.ts), so most requests need no round trip.
CREATE TABLE rate_limits (
  key text NOT NULL,
  window_start timestamptz NOT NULL,
  count integer NOT NULL,
  PRIMARY KEY (key, window_start)
);
