-- Hand-written: the full-text index ent's schema cannot express (see internal/search).
-- An unclassified opening has no role: coalesce keeps the role token from turning the vector NULL.
-- A generated tsvector over openings.search_text, plus the opening's status, location and
-- role as tokens (zzcgstatus…, zzcgloc…, zzcgrole…) so that a filtered search narrows in the
-- GIN index alone.
ALTER TABLE "openings" ADD COLUMN "search_vector" tsvector
  GENERATED ALWAYS AS (to_tsvector('simple', coalesce(search_text, '')
    || ' zzcgstatus' || lower(status)
    || ' zzcgloc' || coalesce(location_id, 0)::text
    || ' zzcgrole' || coalesce(role_id, 0)::text)) STORED;
CREATE INDEX "openings_search_vector" ON "openings" USING GIN ("search_vector");
