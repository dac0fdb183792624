-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Create "new_opening_skills" table
CREATE TABLE `new_opening_skills` (`essential` bool NOT NULL DEFAULT (true), `opening_id` integer NOT NULL, `skill_id` integer NOT NULL, PRIMARY KEY (`opening_id`, `skill_id`), CONSTRAINT `opening_skills_openings_opening` FOREIGN KEY (`opening_id`) REFERENCES `openings` (`id`) ON DELETE CASCADE, CONSTRAINT `opening_skills_skills_skill` FOREIGN KEY (`skill_id`) REFERENCES `skills` (`id`) ON DELETE CASCADE);
-- Set sequence for "new_opening_skills" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_opening_skills", 73014444032);
-- Copy rows from old table "opening_skills" to new temporary table "new_opening_skills"
INSERT INTO `new_opening_skills` (`opening_id`, `skill_id`) SELECT `opening_id`, `skill_id` FROM `opening_skills`;
-- Drop "opening_skills" table after copying rows
DROP TABLE `opening_skills`;
-- Rename temporary table "new_opening_skills" to "opening_skills"
ALTER TABLE `new_opening_skills` RENAME TO `opening_skills`;
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
