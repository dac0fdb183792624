-- Create index "opening_updated_at_id" to table: "openings"
CREATE INDEX `opening_updated_at_id` ON `openings` (`updated_at`, `id`);
-- Hand-added: ent's diff does not drop indexes; the new one serves what this one did.
DROP INDEX `opening_updated_at`;
