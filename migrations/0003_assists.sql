-- Assists: customers, the Assist with its AI analysis, its transcript and
-- its event timeline.

CREATE TABLE customers (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  phone TEXT,
  -- JSON array of {kind, value}: order, invoice, tracking, account numbers.
  identifiers TEXT NOT NULL DEFAULT '[]',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE assists (
  id TEXT PRIMARY KEY,
  reference TEXT NOT NULL UNIQUE,
  bot_id TEXT REFERENCES bots (id) ON DELETE SET NULL,
  session_id TEXT,
  customer_id TEXT NOT NULL REFERENCES customers (id),
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'pending', 'closed')),
  channel TEXT NOT NULL DEFAULT 'web',
  priority TEXT NOT NULL CHECK (priority IN ('low', 'medium', 'high', 'urgent')),
  category TEXT NOT NULL,
  sentiment TEXT NOT NULL,
  summary TEXT NOT NULL,
  reason TEXT NOT NULL,
  suggested_reply TEXT NOT NULL,
  -- JSON: the whole analysis with confidences, factors and sources.
  analysis TEXT NOT NULL,
  tags TEXT NOT NULL DEFAULT '[]',
  brand_label TEXT,
  assignee_id TEXT REFERENCES users (id),
  metadata TEXT NOT NULL DEFAULT '{}',
  resolution TEXT,
  version INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  closed_at INTEGER
);

CREATE UNIQUE INDEX assists_bot_session ON assists (bot_id, session_id) WHERE session_id IS NOT NULL;
CREATE INDEX assists_customer ON assists (customer_id, created_at);
CREATE INDEX assists_status_created ON assists (status, created_at);

CREATE TABLE messages (
  id TEXT PRIMARY KEY,
  assist_id TEXT NOT NULL REFERENCES assists (id),
  seq INTEGER NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('customer', 'assistant', 'agent', 'note', 'system')),
  author_id TEXT,
  text TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (assist_id, seq)
);

CREATE TABLE assist_events (
  id TEXT PRIMARY KEY,
  assist_id TEXT NOT NULL REFERENCES assists (id),
  kind TEXT NOT NULL,
  actor TEXT,
  data TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL
);

CREATE INDEX assist_events_assist ON assist_events (assist_id, created_at);
