-- Baton's first migration: app-wide facts (one row per key).
CREATE TABLE IF NOT EXISTS app_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

INSERT OR IGNORE INTO app_meta (key, value)
VALUES ('created_at', CAST(strftime('%s', 'now') AS TEXT));
