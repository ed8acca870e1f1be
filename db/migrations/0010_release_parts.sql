CREATE TABLE `release_parts` (
	`dataset_id` text NOT NULL,
	`version` text NOT NULL,
	`sha256` text NOT NULL,
	`file` text NOT NULL,
	`seq` integer NOT NULL,
	`bytes` blob NOT NULL,
	PRIMARY KEY(`dataset_id`, `version`, `sha256`, `file`, `seq`)
);
