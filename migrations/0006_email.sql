-- Email: per-bot sending settings, one reply thread per Assist, the outbox
-- that delivers without blocking a request, inbound deliveries seen, and
-- satisfaction scores.

CREATE TABLE bot_email (
  bot_id TEXT PRIMARY KEY REFERENCES bots (id) ON DELETE CASCADE,
  from_email TEXT,
  from_name TEXT,
  provider TEXT CHECK (provider IN ('brevo', 'sendgrid', 'postmark', 'resend')),
  -- Sealed with the `encryption_key` variable; never returned by the API.
  api_key_sealed TEXT,
  -- JSON array of addresses told about new Assists.
  notify_emails TEXT NOT NULL DEFAULT '[]',
  footer_address TEXT,
  -- Replies go to reply+<token>@<inbound_domain>.
  inbound_domain TEXT,
  updated_at INTEGER NOT NULL
);

-- One email conversation per Assist with the customer.
CREATE TABLE email_threads (
  assist_id TEXT PRIMARY KEY REFERENCES assists (id),
  reply_token TEXT NOT NULL UNIQUE,
  subject TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

-- Every Message-ID sent or received in a thread, to thread by
-- In-Reply-To/References when the reply address was lost.
CREATE TABLE email_message_ids (
  message_id TEXT PRIMARY KEY,
  assist_id TEXT NOT NULL REFERENCES assists (id),
  created_at INTEGER NOT NULL
);
CREATE INDEX email_message_ids_assist ON email_message_ids (assist_id, created_at);

CREATE TABLE outbox (
  id TEXT PRIMARY KEY,
  assist_id TEXT REFERENCES assists (id),
  -- The Assist message this email carries (agent replies), if any.
  message_id TEXT,
  bot_id TEXT,
  kind TEXT NOT NULL,
  -- JSON: from, to, reply_to, subject, text, html, message_id, in_reply_to, references.
  email TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  -- Milliseconds: when the row may be tried (again), and until when a
  -- claimed row belongs to the sender that claimed it.
  next_attempt_at INTEGER NOT NULL,
  lease_until INTEGER,
  last_error TEXT,
  provider_message_id TEXT,
  created_at INTEGER NOT NULL,
  sent_at INTEGER
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_message ON outbox (message_id);

-- Inbound deliveries already stored (providers deliver at least once).
CREATE TABLE inbound_emails (
  dedupe_key TEXT PRIMARY KEY,
  assist_id TEXT,
  received_at INTEGER NOT NULL
);

-- Where a message came from ('email' for emails) and what came with it
-- (JSON: draft origin, sanitized HTML, attachments, Message-ID, outbox id).
ALTER TABLE messages ADD COLUMN channel TEXT;
ALTER TABLE messages ADD COLUMN meta TEXT;

CREATE TABLE csat (
  assist_id TEXT PRIMARY KEY REFERENCES assists (id),
  -- Random per survey: signed into each link, so a new survey voids old links.
  nonce TEXT NOT NULL,
  score INTEGER CHECK (score BETWEEN 1 AND 5),
  sent_at INTEGER NOT NULL,
  answered_at INTEGER
);
