CREATE TABLE `releases` (
	`dataset_id` text NOT NULL,
	`version` text NOT NULL,
	`rank` integer NOT NULL,
	`created_at` integer NOT NULL,
	`created_by` text,
	`notes` text NOT NULL,
	`row_filter` text NOT NULL,
	`row_counts` text NOT NULL,
	`sha256` text NOT NULL,
	`zip` blob NOT NULL,
	`snapshot` blob NOT NULL,
	PRIMARY KEY(`dataset_id`, `version`)
);
--> statement-breakpoint
CREATE INDEX `releases_rank` ON `releases` (`dataset_id`,`rank`);