ALTER TABLE `sheets` ADD `row_count` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
UPDATE `sheets` SET `row_count` = (SELECT count(*) FROM `rows` WHERE `rows`.`dataset_id` = `sheets`.`dataset_id` AND `rows`.`sheet_id` = `sheets`.`sheet_id`);
--> statement-breakpoint
-- Rows are inserted (or upserted) and deleted, never replaced (`INSERT OR REPLACE` would skip the delete trigger).
CREATE TRIGGER `rows_count_insert` AFTER INSERT ON `rows` BEGIN
  UPDATE `sheets` SET `row_count` = `row_count` + 1 WHERE `dataset_id` = new.`dataset_id` AND `sheet_id` = new.`sheet_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `rows_count_delete` AFTER DELETE ON `rows` BEGIN
  UPDATE `sheets` SET `row_count` = `row_count` - 1 WHERE `dataset_id` = old.`dataset_id` AND `sheet_id` = old.`sheet_id`;
END;
--> statement-breakpoint
-- A sheet's row may be stored after its first rows (a new dataset's first commit writes rows first): it starts from them.
CREATE TRIGGER `sheets_count_start` AFTER INSERT ON `sheets` BEGIN
  UPDATE `sheets` SET `row_count` = (SELECT count(*) FROM `rows` WHERE `dataset_id` = new.`dataset_id` AND `sheet_id` = new.`sheet_id`)
  WHERE `dataset_id` = new.`dataset_id` AND `sheet_id` = new.`sheet_id`;
END;
