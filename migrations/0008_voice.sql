-- Telephony: connected lines (credentials and webhook secrets sealed),
-- deliveries seen (providers retry), and calls tied to their Assists.

CREATE TABLE voice_lines (
  id TEXT PRIMARY KEY,
  provider TEXT NOT NULL CHECK (provider IN ('twilio', 'vonage', 'aircall', 'dialpad', 'ringcentral', 'quo')),
  -- Sealed JSON of the provider credentials.
  credentials_sealed TEXT NOT NULL,
  -- Sealed secret deliveries are checked with (issued by the provider or
  -- set by Baton at registration); NULL where the credentials hold it.
  webhook_secret_sealed TEXT,
  -- The non-secret parts of the credentials, for display.
  summary TEXT NOT NULL DEFAULT '{}',
  phone_number TEXT NOT NULL,
  brand_label TEXT,
  -- Only calls to/from this number (Quo lines shared by several numbers).
  number_filter TEXT,
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'warning', 'error')),
  last_error TEXT,
  -- JSON: what registration left at the provider (webhook id, subscription
  -- id, when it expires).
  registration TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE voice_events (
  line_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  assist_id TEXT,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (line_id, event_id)
);

CREATE TABLE voice_calls (
  line_id TEXT NOT NULL,
  call_id TEXT NOT NULL,
  assist_id TEXT NOT NULL REFERENCES assists (id),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (line_id, call_id)
);
