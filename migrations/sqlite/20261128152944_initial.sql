-- Create "api_tokens" table
CREATE TABLE `api_tokens` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `token_hash` text NOT NULL, `name` text NOT NULL, `kind` text NOT NULL, `created_at` datetime NOT NULL, `expires_at` datetime NOT NULL, `revoked_at` datetime NULL, `last_used_at` datetime NULL, `user_id` integer NOT NULL, CONSTRAINT `api_tokens_users_tokens` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE NO ACTION);
-- Set sequence for "api_tokens" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("api_tokens", 42949672960);
-- Create index "api_tokens_token_hash_key" to table: "api_tokens"
CREATE UNIQUE INDEX `api_tokens_token_hash_key` ON `api_tokens` (`token_hash`);
-- Create index "apitoken_user_id" to table: "api_tokens"
CREATE INDEX `apitoken_user_id` ON `api_tokens` (`user_id`);
-- Create "audit_logs" table
CREATE TABLE `audit_logs` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `action` text NOT NULL, `entity_type` text NOT NULL, `entity_id` integer NOT NULL, `changes` json NULL, `request_id` text NULL, `client_request_id` text NULL, `token_id` integer NULL, `created_at` datetime NOT NULL, `actor_id` integer NULL, CONSTRAINT `audit_logs_users_audit_logs` FOREIGN KEY (`actor_id`) REFERENCES `users` (`id`) ON DELETE SET NULL);
-- Set sequence for "audit_logs" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("audit_logs", 47244640256);
-- Create index "auditlog_entity_type_entity_id" to table: "audit_logs"
CREATE INDEX `auditlog_entity_type_entity_id` ON `audit_logs` (`entity_type`, `entity_id`);
-- Create index "auditlog_created_at" to table: "audit_logs"
CREATE INDEX `auditlog_created_at` ON `audit_logs` (`created_at`);
-- Create "career_routes" table
CREATE TABLE `career_routes` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `source` text NOT NULL DEFAULT ('manual'), `version` integer NOT NULL DEFAULT (1), `kind` text NOT NULL, `typical_years` real NULL, `notes` text NULL, `from_role_id` integer NOT NULL, `to_role_id` integer NOT NULL, CONSTRAINT `career_routes_roles_routes_out` FOREIGN KEY (`from_role_id`) REFERENCES `roles` (`id`) ON DELETE NO ACTION, CONSTRAINT `career_routes_roles_routes_in` FOREIGN KEY (`to_role_id`) REFERENCES `roles` (`id`) ON DELETE NO ACTION);
-- Create index "careerroute_from_role_id_to_role_id" to table: "career_routes"
CREATE UNIQUE INDEX `careerroute_from_role_id_to_role_id` ON `career_routes` (`from_role_id`, `to_role_id`);
-- Create index "careerroute_to_role_id" to table: "career_routes"
CREATE INDEX `careerroute_to_role_id` ON `career_routes` (`to_role_id`);
-- Create "companies" table
CREATE TABLE `companies` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `source` text NOT NULL DEFAULT ('manual'), `version` integer NOT NULL DEFAULT (1), `slug` text NOT NULL, `name` text NOT NULL, `industry` text NULL, `size` text NULL, `website` text NULL, `headquarters_id` integer NULL, CONSTRAINT `companies_locations_headquartered` FOREIGN KEY (`headquarters_id`) REFERENCES `locations` (`id`) ON DELETE SET NULL);
-- Set sequence for "companies" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("companies", 4294967296);
-- Create index "companies_slug_key" to table: "companies"
CREATE UNIQUE INDEX `companies_slug_key` ON `companies` (`slug`);
-- Create "feed_sources" table
CREATE TABLE `feed_sources` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `version` integer NOT NULL DEFAULT (1), `name` text NOT NULL, `url` text NOT NULL, `interval_minutes` integer NOT NULL DEFAULT (1440), `full` bool NOT NULL DEFAULT (true), `enabled` bool NOT NULL DEFAULT (true), `last_enqueued_at` datetime NULL);
-- Set sequence for "feed_sources" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("feed_sources", 60129542144);
-- Create index "feed_sources_name_key" to table: "feed_sources"
CREATE UNIQUE INDEX `feed_sources_name_key` ON `feed_sources` (`name`);
-- Create "import_runs" table
CREATE TABLE `import_runs` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `source` text NOT NULL, `full` bool NOT NULL DEFAULT (false), `inputs` json NOT NULL, `status` text NOT NULL DEFAULT ('QUEUED'), `read` integer NOT NULL DEFAULT (0), `created` integer NOT NULL DEFAULT (0), `updated` integer NOT NULL DEFAULT (0), `unchanged` integer NOT NULL DEFAULT (0), `closed` integer NOT NULL DEFAULT (0), `rejected` integer NOT NULL DEFAULT (0), `unclassified` integer NOT NULL DEFAULT (0), `rejects` json NULL, `error` text NULL, `attempts` integer NOT NULL DEFAULT (0), `job_id` integer NULL, `created_at` datetime NOT NULL, `started_at` datetime NULL, `finished_at` datetime NULL);
-- Set sequence for "import_runs" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("import_runs", 64424509440);
-- Create index "importrun_created_at" to table: "import_runs"
CREATE INDEX `importrun_created_at` ON `import_runs` (`created_at`);
-- Create "interview_questions" table
CREATE TABLE `interview_questions` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `source` text NOT NULL DEFAULT ('manual'), `version` integer NOT NULL DEFAULT (1), `kind` text NOT NULL, `difficulty` text NOT NULL, `position` integer NOT NULL DEFAULT (0), `question` text NOT NULL, `answer_notes` text NULL, `role_id` integer NOT NULL, `skill_id` integer NULL, CONSTRAINT `interview_questions_roles_interview_questions` FOREIGN KEY (`role_id`) REFERENCES `roles` (`id`) ON DELETE NO ACTION, CONSTRAINT `interview_questions_skills_interview_questions` FOREIGN KEY (`skill_id`) REFERENCES `skills` (`id`) ON DELETE SET NULL);
-- Set sequence for "interview_questions" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("interview_questions", 8589934592);
-- Create "locations" table
CREATE TABLE `locations` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `source` text NOT NULL DEFAULT ('manual'), `version` integer NOT NULL DEFAULT (1), `meta_title` text NULL, `meta_description` text NULL, `slug` text NOT NULL, `city` text NOT NULL, `region` text NULL, `country_code` text NOT NULL);
-- Set sequence for "locations" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("locations", 12884901888);
-- Create index "locations_slug_key" to table: "locations"
CREATE UNIQUE INDEX `locations_slug_key` ON `locations` (`slug`);
-- Create index "location_country_code_city" to table: "locations"
CREATE INDEX `location_country_code_city` ON `locations` (`country_code`, `city`);
-- Create "openings" table
CREATE TABLE `openings` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `source` text NOT NULL DEFAULT ('manual'), `version` integer NOT NULL DEFAULT (1), `meta_title` text NULL, `meta_description` text NULL, `external_id` text NOT NULL, `title` text NOT NULL, `description` text NULL, `description_html` text NULL, `url` text NULL, `applicant_location_requirements` json NULL, `content_hash` text NULL, `work_mode` text NOT NULL, `employment_type` text NOT NULL DEFAULT ('FULL_TIME'), `experience_min_years` integer NOT NULL DEFAULT (0), `experience_max_years` integer NULL, `salary_min` integer NULL, `salary_max` integer NULL, `salary_currency` text NULL, `salary_period` text NULL, `posted_at` datetime NOT NULL, `valid_through` datetime NULL, `status` text NOT NULL DEFAULT ('LIVE'), `skill_count` integer NOT NULL DEFAULT (0), `search_text` text NULL, `company_id` integer NOT NULL, `location_id` integer NULL, `role_id` integer NULL, CONSTRAINT `openings_companies_openings` FOREIGN KEY (`company_id`) REFERENCES `companies` (`id`) ON DELETE NO ACTION, CONSTRAINT `openings_locations_openings` FOREIGN KEY (`location_id`) REFERENCES `locations` (`id`) ON DELETE SET NULL, CONSTRAINT `openings_roles_openings` FOREIGN KEY (`role_id`) REFERENCES `roles` (`id`) ON DELETE SET NULL);
-- Set sequence for "openings" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("openings", 17179869184);
-- Create index "opening_source_external_id" to table: "openings"
CREATE UNIQUE INDEX `opening_source_external_id` ON `openings` (`source`, `external_id`);
-- Create index "opening_role_id_status_posted_at_id" to table: "openings"
CREATE INDEX `opening_role_id_status_posted_at_id` ON `openings` (`role_id`, `status`, `posted_at`, `id`);
-- Create index "opening_status_posted_at_id" to table: "openings"
CREATE INDEX `opening_status_posted_at_id` ON `openings` (`status`, `posted_at`, `id`);
-- Create index "opening_company_id" to table: "openings"
CREATE INDEX `opening_company_id` ON `openings` (`company_id`);
-- Create index "opening_location_id" to table: "openings"
CREATE INDEX `opening_location_id` ON `openings` (`location_id`);
-- Create index "opening_updated_at" to table: "openings"
CREATE INDEX `opening_updated_at` ON `openings` (`updated_at`);
-- Create "opening_tombstones" table
CREATE TABLE `opening_tombstones` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `opening_id` integer NOT NULL, `deleted_at` datetime NOT NULL);
-- Set sequence for "opening_tombstones" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("opening_tombstones", 55834574848);
-- Create index "openingtombstone_deleted_at" to table: "opening_tombstones"
CREATE INDEX `openingtombstone_deleted_at` ON `opening_tombstones` (`deleted_at`);
-- Create "roles" table
CREATE TABLE `roles` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `source` text NOT NULL DEFAULT ('manual'), `version` integer NOT NULL DEFAULT (1), `meta_title` text NULL, `meta_description` text NULL, `slug` text NOT NULL, `title` text NOT NULL, `summary` text NOT NULL, `overview` text NULL, `aliases` json NULL, `experience_min_years` integer NOT NULL, `experience_max_years` integer NOT NULL, `family` text NOT NULL, `isco08_code` text NULL, `nco2015_code` text NULL, `onet_soc_code` text NULL);
-- Set sequence for "roles" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("roles", 21474836480);
-- Create index "roles_slug_key" to table: "roles"
CREATE UNIQUE INDEX `roles_slug_key` ON `roles` (`slug`);
-- Create "role_items" table
CREATE TABLE `role_items` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `source` text NOT NULL DEFAULT ('manual'), `version` integer NOT NULL DEFAULT (1), `kind` text NOT NULL, `position` integer NOT NULL, `text` text NOT NULL, `answer` text NULL, `role_id` integer NOT NULL, `skill_id` integer NULL, CONSTRAINT `role_items_roles_items` FOREIGN KEY (`role_id`) REFERENCES `roles` (`id`) ON DELETE NO ACTION, CONSTRAINT `role_items_skills_skill` FOREIGN KEY (`skill_id`) REFERENCES `skills` (`id`) ON DELETE SET NULL);
-- Set sequence for "role_items" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("role_items", 25769803776);
-- Create index "roleitem_role_id_kind_position" to table: "role_items"
CREATE UNIQUE INDEX `roleitem_role_id_kind_position` ON `role_items` (`role_id`, `kind`, `position`);
-- Create "role_skills" table
CREATE TABLE `role_skills` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `source` text NOT NULL DEFAULT ('manual'), `version` integer NOT NULL DEFAULT (1), `rank` integer NOT NULL, `role_id` integer NOT NULL, `skill_id` integer NOT NULL, CONSTRAINT `role_skills_roles_core_skill_links` FOREIGN KEY (`role_id`) REFERENCES `roles` (`id`) ON DELETE NO ACTION, CONSTRAINT `role_skills_skills_core_of` FOREIGN KEY (`skill_id`) REFERENCES `skills` (`id`) ON DELETE NO ACTION);
-- Set sequence for "role_skills" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("role_skills", 30064771072);
-- Create index "roleskill_role_id_skill_id" to table: "role_skills"
CREATE UNIQUE INDEX `roleskill_role_id_skill_id` ON `role_skills` (`role_id`, `skill_id`);
-- Create index "roleskill_role_id_rank" to table: "role_skills"
CREATE UNIQUE INDEX `roleskill_role_id_rank` ON `role_skills` (`role_id`, `rank`);
-- Create "salary_records" table
CREATE TABLE `salary_records` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `source` text NOT NULL DEFAULT ('manual'), `version` integer NOT NULL DEFAULT (1), `country_code` text NOT NULL, `currency` text NOT NULL, `period` text NOT NULL DEFAULT ('YEAR'), `level` text NULL, `experience_min_years` integer NULL, `experience_max_years` integer NULL, `min_amount` integer NOT NULL, `p25_amount` integer NULL, `median_amount` integer NULL, `p75_amount` integer NULL, `max_amount` integer NULL, `as_of` datetime NULL, `company_id` integer NULL, `location_id` integer NULL, `role_id` integer NOT NULL, `skill_id` integer NULL, CONSTRAINT `salary_records_companies_salary_records` FOREIGN KEY (`company_id`) REFERENCES `companies` (`id`) ON DELETE SET NULL, CONSTRAINT `salary_records_locations_salary_records` FOREIGN KEY (`location_id`) REFERENCES `locations` (`id`) ON DELETE SET NULL, CONSTRAINT `salary_records_roles_salary_records` FOREIGN KEY (`role_id`) REFERENCES `roles` (`id`) ON DELETE NO ACTION, CONSTRAINT `salary_records_skills_salary_records` FOREIGN KEY (`skill_id`) REFERENCES `skills` (`id`) ON DELETE SET NULL);
-- Set sequence for "salary_records" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("salary_records", 34359738368);
-- Create index "salaryrecord_role_id_country_code_level" to table: "salary_records"
CREATE INDEX `salaryrecord_role_id_country_code_level` ON `salary_records` (`role_id`, `country_code`, `level`);
-- Create "skills" table
CREATE TABLE `skills` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `source` text NOT NULL DEFAULT ('manual'), `version` integer NOT NULL DEFAULT (1), `meta_title` text NULL, `meta_description` text NULL, `slug` text NOT NULL, `name` text NOT NULL, `category` text NOT NULL, `synonyms` json NULL, `esco_uri` text NULL, `group_mode` text NULL);
-- Set sequence for "skills" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("skills", 38654705664);
-- Create index "skills_slug_key" to table: "skills"
CREATE UNIQUE INDEX `skills_slug_key` ON `skills` (`slug`);
-- Create index "skills_name_key" to table: "skills"
CREATE UNIQUE INDEX `skills_name_key` ON `skills` (`name`);
-- Create "trend_snapshots" table
CREATE TABLE `trend_snapshots` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `day` datetime NOT NULL, `role_id` integer NOT NULL DEFAULT (0), `location_id` integer NOT NULL DEFAULT (0), `skill_id` integer NOT NULL DEFAULT (0), `live_openings` integer NOT NULL, `currency` text NULL, `median_pay` integer NULL, `pay_count` integer NOT NULL DEFAULT (0));
-- Set sequence for "trend_snapshots" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("trend_snapshots", 68719476736);
-- Create index "trendsnapshot_role_id_location_id_skill_id_day" to table: "trend_snapshots"
CREATE UNIQUE INDEX `trendsnapshot_role_id_location_id_skill_id_day` ON `trend_snapshots` (`role_id`, `location_id`, `skill_id`, `day`);
-- Create "users" table
CREATE TABLE `users` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `email` text NOT NULL, `name` text NULL, `password_hash` text NOT NULL, `role` text NOT NULL, `disabled` bool NOT NULL DEFAULT (false));
-- Set sequence for "users" table
INSERT INTO sqlite_sequence (name, seq) VALUES ("users", 51539607552);
-- Create index "users_email_key" to table: "users"
CREATE UNIQUE INDEX `users_email_key` ON `users` (`email`);
-- Create "opening_skills" table
CREATE TABLE `opening_skills` (`opening_id` integer NOT NULL, `skill_id` integer NOT NULL, PRIMARY KEY (`opening_id`, `skill_id`), CONSTRAINT `opening_skills_opening_id` FOREIGN KEY (`opening_id`) REFERENCES `openings` (`id`) ON DELETE CASCADE, CONSTRAINT `opening_skills_skill_id` FOREIGN KEY (`skill_id`) REFERENCES `skills` (`id`) ON DELETE CASCADE);
-- Create "skill_members" table
CREATE TABLE `skill_members` (`skill_id` integer NOT NULL, `group_id` integer NOT NULL, PRIMARY KEY (`skill_id`, `group_id`), CONSTRAINT `skill_members_skill_id` FOREIGN KEY (`skill_id`) REFERENCES `skills` (`id`) ON DELETE CASCADE, CONSTRAINT `skill_members_group_id` FOREIGN KEY (`group_id`) REFERENCES `skills` (`id`) ON DELETE CASCADE);
