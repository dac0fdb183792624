-- Hand-written (see internal/search): search_vector stops being a generated column, so that a
-- bulk writer can send the vector it built (search.Vector; the importer's COPY) instead of
-- having PostgreSQL parse every document. Every other write gets it from this trigger, with
-- the expression the generated column had; the existing vectors are kept as they are.
ALTER TABLE "openings" ALTER COLUMN "search_vector" DROP EXPRESSION;
CREATE FUNCTION "openings_search_vector"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.search_vector IS NULL OR TG_OP = 'UPDATE' AND (
      NEW.search_text IS DISTINCT FROM OLD.search_text OR NEW.status IS DISTINCT FROM OLD.status
      OR NEW.location_id IS DISTINCT FROM OLD.location_id OR NEW.role_id IS DISTINCT FROM OLD.role_id) THEN
    NEW.search_vector := to_tsvector('simple', coalesce(NEW.search_text, '')
      || ' zzcgstatus' || lower(NEW.status)
      || ' zzcgloc' || coalesce(NEW.location_id, 0)::text
      || ' zzcgrole' || coalesce(NEW.role_id, 0)::text);
  END IF;
  RETURN NEW;
END
$$;
-- An update that names none of the vector's inputs does not fire it.
CREATE TRIGGER "openings_search_vector_insert" BEFORE INSERT ON "openings"
  FOR EACH ROW EXECUTE FUNCTION "openings_search_vector"();
CREATE TRIGGER "openings_search_vector_update" BEFORE UPDATE OF "search_text", "status", "location_id", "role_id", "search_vector" ON "openings"
  FOR EACH ROW EXECUTE FUNCTION "openings_search_vector"();
