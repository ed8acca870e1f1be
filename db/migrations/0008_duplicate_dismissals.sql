CREATE TABLE `duplicate_dismissals` (
	`dataset_id` text NOT NULL,
	`sheet_id` text NOT NULL,
	`rows` text NOT NULL,
	`dismissed_by` text,
	`dismissed_at` integer NOT NULL,
	PRIMARY KEY(`dataset_id`, `sheet_id`, `rows`),
	FOREIGN KEY (`dataset_id`) REFERENCES `datasets`(`id`) ON UPDATE no action ON DELETE cascade
);
