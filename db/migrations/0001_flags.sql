CREATE TABLE `flags` (
	`dataset_id` text NOT NULL,
	`flag_id` text NOT NULL,
	`row_id` text NOT NULL,
	`sheet_id` text NOT NULL,
	`column_id` text,
	`reason` text NOT NULL,
	`note` text NOT NULL,
	`by` text NOT NULL,
	`at` text NOT NULL,
	`status` text NOT NULL,
	`resolved_by` text,
	`resolved_at` text,
	`resolution` text,
	`comments` text NOT NULL,
	PRIMARY KEY(`dataset_id`, `flag_id`)
);
--> statement-breakpoint
CREATE INDEX `flags_row` ON `flags` (`dataset_id`,`row_id`);