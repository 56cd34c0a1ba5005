-- The customer's language on each Assist (detected by the built-in AI),
-- and what the workspace's own corrections taught it: a bounded table of
-- weight adjustments over the model's hashed features, and the log of
-- corrections they came from.

ALTER TABLE assists ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
CREATE INDEX assists_language_created ON assists (language, created_at);

CREATE TABLE ai_adjustments (
  -- Hashed feature slot and global class index (see crates/ai/src/model.rs).
  slot INTEGER NOT NULL,
  class INTEGER NOT NULL,
  weight REAL NOT NULL,
  PRIMARY KEY (slot, class)
) WITHOUT ROWID;

CREATE TABLE ai_corrections (
  id TEXT PRIMARY KEY,
  assist_id TEXT NOT NULL REFERENCES assists (id),
  field TEXT NOT NULL CHECK (field IN ('category', 'priority')),
  predicted TEXT NOT NULL,
  corrected TEXT NOT NULL,
  actor TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE INDEX ai_corrections_assist ON ai_corrections (assist_id);
