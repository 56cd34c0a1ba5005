-- Scale: sorts without a status filter use their own indexes, and the
-- unfiltered counts per status are kept by triggers instead of counted.

CREATE INDEX assists_created ON assists (created_at, id);
CREATE INDEX assists_updated ON assists (updated_at, id);
CREATE INDEX assists_priority ON assists (priority_rank, created_at, id);

CREATE TABLE assist_counts (
  status TEXT PRIMARY KEY,
  n INTEGER NOT NULL
);

INSERT INTO assist_counts (status, n) VALUES ('open', 0), ('pending', 0), ('closed', 0);
UPDATE assist_counts SET n = (SELECT COUNT(*) FROM assists WHERE assists.status = assist_counts.status);

CREATE TRIGGER assist_counts_insert AFTER INSERT ON assists BEGIN
  UPDATE assist_counts SET n = n + 1 WHERE status = NEW.status;
END;

CREATE TRIGGER assist_counts_update AFTER UPDATE OF status ON assists WHEN OLD.status <> NEW.status BEGIN
  UPDATE assist_counts SET n = n - 1 WHERE status = OLD.status;
  UPDATE assist_counts SET n = n + 1 WHERE status = NEW.status;
END;

CREATE TRIGGER assist_counts_delete AFTER DELETE ON assists BEGIN
  UPDATE assist_counts SET n = n - 1 WHERE status = OLD.status;
END;
