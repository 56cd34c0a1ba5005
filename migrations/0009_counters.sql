-- Rate limits, sign-in throttles and replay guards: counted atomically in
-- SQLite (one UPSERT per hit, shared by every instance) and removed once
-- their window has passed.

CREATE TABLE counters (
  key TEXT PRIMARY KEY,
  count INTEGER NOT NULL,
  -- Seconds since the epoch: the window's end; afterwards the row is stale.
  expires_at INTEGER NOT NULL,
  -- Throttles that lock (sign-in): until when, 0 when not locked.
  locked_until INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX counters_expiry ON counters (expires_at);
