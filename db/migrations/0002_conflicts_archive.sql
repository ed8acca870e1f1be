CREATE TABLE `conflicts` (
	`dataset_id` text NOT NULL,
	`conflict_id` text NOT NULL,
	`sheet_id` text NOT NULL,
	`row_id` text NOT NULL,
	`column_id` text NOT NULL,
	`kept` text,
	`kept_by` text,
	`lost` text,
	`lost_by` text,
	`at` text NOT NULL,
	`status` text NOT NULL,
	`resolved_by` text,
	`resolved_at` text,
	PRIMARY KEY(`dataset_id`, `conflict_id`)
);
--> statement-breakpoint
CREATE INDEX `conflicts_cell` ON `conflicts` (`dataset_id`,`row_id`,`column_id`);--> statement-breakpoint
ALTER TABLE `datasets` ADD `archived_at` integer;