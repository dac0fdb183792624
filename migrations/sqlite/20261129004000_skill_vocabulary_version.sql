-- Hand-written (see internal/skills.Cache): the skill vocabulary's version, one number that
-- every change to skills or skill_members raises in the transaction that makes it, so that a
-- cache checks one row per request instead of aggregating every skill.
CREATE TABLE `skill_vocabulary` (`id` integer NOT NULL PRIMARY KEY CHECK (`id` = 1), `version` integer NOT NULL);
INSERT INTO `skill_vocabulary` (`id`, `version`) VALUES (1, 1);
CREATE TRIGGER `skills_vocabulary_insert` AFTER INSERT ON `skills` BEGIN
  UPDATE `skill_vocabulary` SET `version` = `version` + 1 WHERE `id` = 1;
END;
CREATE TRIGGER `skills_vocabulary_update` AFTER UPDATE ON `skills` BEGIN
  UPDATE `skill_vocabulary` SET `version` = `version` + 1 WHERE `id` = 1;
END;
CREATE TRIGGER `skills_vocabulary_delete` AFTER DELETE ON `skills` BEGIN
  UPDATE `skill_vocabulary` SET `version` = `version` + 1 WHERE `id` = 1;
END;
CREATE TRIGGER `skill_members_vocabulary_insert` AFTER INSERT ON `skill_members` BEGIN
  UPDATE `skill_vocabulary` SET `version` = `version` + 1 WHERE `id` = 1;
END;
CREATE TRIGGER `skill_members_vocabulary_update` AFTER UPDATE ON `skill_members` BEGIN
  UPDATE `skill_vocabulary` SET `version` = `version` + 1 WHERE `id` = 1;
END;
CREATE TRIGGER `skill_members_vocabulary_delete` AFTER DELETE ON `skill_members` BEGIN
  UPDATE `skill_vocabulary` SET `version` = `version` + 1 WHERE `id` = 1;
END;
