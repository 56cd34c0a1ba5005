-- Help-desk imports, and customers known only by phone or name (voicemail
-- callers, imported tickets without an email): email becomes optional.

CREATE TABLE customers_v7 (
  id TEXT PRIMARY KEY,
  email TEXT UNIQUE,
  name TEXT NOT NULL,
  phone TEXT,
  identifiers TEXT NOT NULL DEFAULT '[]',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
INSERT INTO customers_v7 (id, email, name, phone, identifiers, created_at, updated_at)
SELECT id, email, name, phone, identifiers, created_at, updated_at FROM customers;
DROP TABLE customers;
ALTER TABLE customers_v7 RENAME TO customers;
CREATE INDEX customers_phone ON customers (phone) WHERE phone IS NOT NULL;

-- A connected help desk. Credentials are sealed JSON; `summary` holds the
-- parts safe to show (subdomain, domain, agent email).
CREATE TABLE importers (
  id TEXT PRIMARY KEY,
  provider TEXT NOT NULL CHECK (provider IN ('zendesk', 'intercom', 'freshdesk', 'happyfox', 'helpscout')),
  credentials_sealed TEXT NOT NULL,
  summary TEXT NOT NULL DEFAULT '{}',
  brand_label TEXT,
  -- Where the walk over open tickets stands (provider cursor), and whether
  -- the last pass reached the end.
  cursor TEXT,
  pass_done INTEGER NOT NULL DEFAULT 0,
  -- Tickets seen in the current pass, for the remaining estimate.
  pass_seen INTEGER NOT NULL DEFAULT 0,
  -- Milliseconds: a run holds the importer until then (one run at a time).
  running_until INTEGER,
  created_by TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE import_runs (
  id TEXT PRIMARY KEY,
  importer_id TEXT NOT NULL REFERENCES importers (id) ON DELETE CASCADE,
  actor TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  imported INTEGER NOT NULL DEFAULT 0,
  updated INTEGER NOT NULL DEFAULT 0,
  skipped INTEGER NOT NULL DEFAULT 0,
  -- JSON array of {id, reason} for tickets that could not be read.
  failures TEXT NOT NULL DEFAULT '[]',
  remaining_estimate INTEGER,
  done INTEGER NOT NULL DEFAULT 0,
  error TEXT
);
CREATE INDEX import_runs_importer ON import_runs (importer_id, started_at);

-- One row per imported ticket: reruns skip it, or add what changed.
CREATE TABLE imported_tickets (
  provider TEXT NOT NULL,
  -- The help desk's host, so two accounts of one provider do not collide.
  origin TEXT NOT NULL,
  ticket_id TEXT NOT NULL,
  assist_id TEXT NOT NULL REFERENCES assists (id),
  ticket_updated_at INTEGER NOT NULL,
  message_count INTEGER NOT NULL,
  imported_at INTEGER NOT NULL,
  PRIMARY KEY (provider, origin, ticket_id)
);
