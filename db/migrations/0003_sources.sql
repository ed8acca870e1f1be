CREATE TABLE `sources` (
	`dataset_id` text NOT NULL,
	`source_id` text NOT NULL,
	`title` text NOT NULL,
	`url` text,
	`outlet` text,
	`published_at` text,
	`text` text NOT NULL,
	`sha256` text NOT NULL,
	`length` integer NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`dataset_id`, `source_id`)
);
