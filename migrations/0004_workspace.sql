-- The agent workspace: per-agent read state, sortable priority, the working
-- draft, and full-text search over Assists.

ALTER TABLE assists ADD COLUMN priority_rank INTEGER NOT NULL DEFAULT 1;
ALTER TABLE assists ADD COLUMN last_customer_message_at INTEGER;
ALTER TABLE assists ADD COLUMN draft TEXT;
ALTER TABLE assists ADD COLUMN draft_variant INTEGER NOT NULL DEFAULT 0;
-- How many messages came with the hand-off (the transcript); later ones
-- are activity.
ALTER TABLE assists ADD COLUMN transcript_length INTEGER NOT NULL DEFAULT 0;

UPDATE assists SET priority_rank = CASE priority WHEN 'low' THEN 0 WHEN 'medium' THEN 1 WHEN 'high' THEN 2 ELSE 3 END;
-- Read state compares milliseconds, so a message in the same second as a
-- read still counts as new.
UPDATE assists SET last_customer_message_at = created_at * 1000;
UPDATE assists SET transcript_length = (SELECT COUNT(*) FROM messages WHERE messages.assist_id = assists.id);

-- Keyset pagination: every sort is (key, id) within a status.
CREATE INDEX assists_status_updated ON assists (status, updated_at, id);
CREATE INDEX assists_status_priority ON assists (status, priority_rank, created_at, id);
CREATE INDEX assists_assignee ON assists (assignee_id, status, created_at);

CREATE TABLE assist_reads (
  assist_id TEXT NOT NULL REFERENCES assists (id),
  user_id TEXT NOT NULL REFERENCES users (id),
  read_at INTEGER NOT NULL,
  PRIMARY KEY (assist_id, user_id)
);

CREATE VIRTUAL TABLE assist_search USING fts5 (
  assist_id UNINDEXED,
  reference,
  customer,
  summary,
  messages
);

-- The search row shares the Assist's rowid, so a match yields rowids
-- straight from the index.
INSERT INTO assist_search (rowid, assist_id, reference, customer, summary, messages)
SELECT a.rowid, a.id, a.reference, c.name || ' ' || c.email, a.summary,
       COALESCE((SELECT group_concat(m.text, ' ') FROM messages m WHERE m.assist_id = a.id), '')
FROM assists a JOIN customers c ON c.id = a.customer_id;
