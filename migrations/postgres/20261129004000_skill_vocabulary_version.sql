-- Hand-written (see internal/skills.Cache): the skill vocabulary's version, one number that
-- every change to skills or skill_members raises in the transaction that makes it, so that a
-- cache checks one row per request instead of aggregating every skill.
CREATE TABLE "skill_vocabulary" (
  "id" bigint NOT NULL PRIMARY KEY CHECK ("id" = 1),
  "version" bigint NOT NULL
);
INSERT INTO "skill_vocabulary" ("id", "version") VALUES (1, 1);
CREATE FUNCTION "skill_vocabulary_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "skill_vocabulary" SET "version" = "version" + 1 WHERE "id" = 1;
  RETURN NULL;
END
$$;
-- Deferred to the commit: a transaction locks the row only at its very end, after every skill
-- it writes, so two editors' transactions wait for each other there but cannot deadlock.
CREATE CONSTRAINT TRIGGER "skills_vocabulary_changed" AFTER INSERT OR UPDATE OR DELETE ON "skills"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "skill_vocabulary_changed"();
CREATE CONSTRAINT TRIGGER "skill_members_vocabulary_changed" AFTER INSERT OR UPDATE OR DELETE ON "skill_members"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "skill_vocabulary_changed"();
CREATE TRIGGER "skills_vocabulary_truncated" AFTER TRUNCATE ON "skills"
  FOR EACH STATEMENT EXECUTE FUNCTION "skill_vocabulary_changed"();
CREATE TRIGGER "skill_members_vocabulary_truncated" AFTER TRUNCATE ON "skill_members"
  FOR EACH STATEMENT EXECUTE FUNCTION "skill_vocabulary_changed"();
