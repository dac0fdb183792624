-- Hand-written: the full-text index ent's schema cannot express (see internal/search).
-- An external-content FTS5 table over openings.search_text, kept in step by triggers.
CREATE VIRTUAL TABLE `openings_fts` USING fts5(search_text, content='openings', content_rowid='id', tokenize='unicode61');
CREATE TRIGGER `openings_fts_insert` AFTER INSERT ON `openings` BEGIN
  INSERT INTO openings_fts(rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER `openings_fts_delete` AFTER DELETE ON `openings` BEGIN
  INSERT INTO openings_fts(openings_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER `openings_fts_update` AFTER UPDATE OF search_text ON `openings` BEGIN
  INSERT INTO openings_fts(openings_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
  INSERT INTO openings_fts(rowid, search_text) VALUES (new.id, new.search_text);
END;
