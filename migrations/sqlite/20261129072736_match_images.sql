-- Create "match_images" table
CREATE TABLE `match_images` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `format` integer NOT NULL, `generation` integer NOT NULL, `part` integer NOT NULL, `parts` integer NOT NULL, `data` blob NOT NULL);
-- Set sequence for "match_images" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("match_images", 81604378624);
-- Create index "matchimage_format_generation_part" to table: "match_images"
CREATE UNIQUE INDEX `matchimage_format_generation_part` ON `match_images` (`format`, `generation`, `part`);
