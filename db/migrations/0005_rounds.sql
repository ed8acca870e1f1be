CREATE TABLE `round_adjudications` (
	`dataset_id` text NOT NULL,
	`round_id` text NOT NULL,
	`row_id` text NOT NULL,
	`column_id` text NOT NULL,
	`value` text,
	`coder_values` text NOT NULL,
	`user_id` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`dataset_id`, `round_id`, `row_id`, `column_id`)
);
--> statement-breakpoint
CREATE TABLE `round_coders` (
	`dataset_id` text NOT NULL,
	`round_id` text NOT NULL,
	`user_id` text NOT NULL,
	`position` integer NOT NULL,
	`submitted_at` integer,
	PRIMARY KEY(`dataset_id`, `round_id`, `user_id`)
);
--> statement-breakpoint
CREATE INDEX `round_coders_user` ON `round_coders` (`user_id`);--> statement-breakpoint
CREATE TABLE `rounds` (
	`dataset_id` text NOT NULL,
	`round_id` text NOT NULL,
	`name` text NOT NULL,
	`sheet_id` text NOT NULL,
	`rows` text NOT NULL,
	`columns` text NOT NULL,
	`levels` text NOT NULL,
	`sample_percent` real,
	`sample_seed` integer,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`dataset_id`, `round_id`),
	FOREIGN KEY (`dataset_id`) REFERENCES `datasets`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `cell_changes` ADD `note` text;