-- Hand-written (see internal/search, window.go): the search vector also carries the block of
-- the opening's id (id >> 17, search.BlockBits) as the token zzcgblk<block>, so that a search
-- can ask the GIN index for the matches among the newest openings only. Every existing vector
-- gets its token appended (at the position after its last word, where the trigger puts it).
CREATE OR REPLACE FUNCTION "openings_search_vector"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.search_vector IS NULL OR TG_OP = 'UPDATE' AND (
      NEW.search_text IS DISTINCT FROM OLD.search_text OR NEW.status IS DISTINCT FROM OLD.status
      OR NEW.location_id IS DISTINCT FROM OLD.location_id OR NEW.role_id IS DISTINCT FROM OLD.role_id) THEN
    NEW.search_vector := to_tsvector('simple', coalesce(NEW.search_text, '')
      || ' zzcgstatus' || lower(NEW.status)
      || ' zzcgloc' || coalesce(NEW.location_id, 0)::text
      || ' zzcgrole' || coalesce(NEW.role_id, 0)::text
      || ' zzcgblk' || (NEW.id >> 17)::text);
  END IF;
  RETURN NEW;
END
$$;
UPDATE "openings" SET "search_vector" = "search_vector" || to_tsvector('simple', 'zzcgblk' || ("id" >> 17)::text)
  WHERE "search_vector" IS NOT NULL;
