-- Password resets: a single-use link emailed to the member (or handed to an
-- Owner to pass on). Only the token's hash is kept.

CREATE TABLE password_resets (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);

CREATE INDEX password_resets_user ON password_resets (user_id);
