-- Hand-written (see README, "Live openings: Speed"): the long columns of openings compress with
-- lz4 instead of pglz where the server was built with it (PostgreSQL 14 and later built with
-- lz4, as Debian's is; a server without it keeps pglz, and nothing else differs).
-- lz4 compresses several times faster at about the same size: a first import of 20,000
-- postings took 7.76 s instead of 8.58 s (medians of five, alternating), `gen` wrote 3,951
-- openings a second instead of 3,646–3,725; searches measured no different. Only values
-- written from now on are lz4; the existing ones stay pglz until rewritten, and both read alike.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
    ALTER TABLE "openings"
      ALTER COLUMN "description" SET COMPRESSION lz4,
      ALTER COLUMN "description_html" SET COMPRESSION lz4,
      ALTER COLUMN "search_text" SET COMPRESSION lz4,
      ALTER COLUMN "search_vector" SET COMPRESSION lz4;
  END IF;
END
$$;
