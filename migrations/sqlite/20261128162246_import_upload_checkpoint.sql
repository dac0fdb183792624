-- Disable the enforcement of foreign-keys constraints
PRAGMA foreign_keys = off;
-- Create "new_import_runs" table
CREATE TABLE `new_import_runs` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `source` text NOT NULL, `full` bool NOT NULL DEFAULT (false), `inputs` json NOT NULL, `status` text NOT NULL DEFAULT ('QUEUED'), `read` integer NOT NULL DEFAULT (0), `created` integer NOT NULL DEFAULT (0), `updated` integer NOT NULL DEFAULT (0), `unchanged` integer NOT NULL DEFAULT (0), `closed` integer NOT NULL DEFAULT (0), `rejected` integer NOT NULL DEFAULT (0), `unclassified` integer NOT NULL DEFAULT (0), `rejects` json NULL, `error` text NULL, `attempts` integer NOT NULL DEFAULT (0), `job_id` integer NULL, `cursor_input` integer NOT NULL DEFAULT (0), `cursor_record` integer NOT NULL DEFAULT (0), `created_at` datetime NOT NULL, `started_at` datetime NULL, `finished_at` datetime NULL);
-- Set sequence for "new_import_runs" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("new_import_runs", 64424509440);
-- Copy rows from old table "import_runs" to new temporary table "new_import_runs"
INSERT INTO `new_import_runs` (`id`, `source`, `full`, `inputs`, `status`, `read`, `created`, `updated`, `unchanged`, `closed`, `rejected`, `unclassified`, `rejects`, `error`, `attempts`, `job_id`, `created_at`, `started_at`, `finished_at`) SELECT `id`, `source`, `full`, `inputs`, `status`, `read`, `created`, `updated`, `unchanged`, `closed`, `rejected`, `unclassified`, `rejects`, `error`, `attempts`, `job_id`, `created_at`, `started_at`, `finished_at` FROM `import_runs`;
-- Drop "import_runs" table after copying rows
DROP TABLE `import_runs`;
-- Rename temporary table "new_import_runs" to "import_runs"
ALTER TABLE `new_import_runs` RENAME TO `import_runs`;
-- Create index "importrun_created_at" to table: "import_runs"
CREATE INDEX `importrun_created_at` ON `import_runs` (`created_at`);
-- Create "import_uploads" table
CREATE TABLE `import_uploads` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `run_id` integer NOT NULL, `name` text NOT NULL, `format` text NOT NULL, `content` blob NOT NULL, `created_at` datetime NOT NULL);
-- Set sequence for "import_uploads" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("import_uploads", 77309411328);
-- Create index "import_uploads_run_id_key" to table: "import_uploads"
CREATE UNIQUE INDEX `import_uploads_run_id_key` ON `import_uploads` (`run_id`);
-- Enable back the enforcement of foreign-keys constraints
PRAGMA foreign_keys = on;
