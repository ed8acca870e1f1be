CREATE TABLE `cell_changes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`dataset_id` text NOT NULL,
	`sheet_id` text NOT NULL,
	`row_id` text NOT NULL,
	`column_id` text NOT NULL,
	`old` text,
	`new` text,
	`user_id` text,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `cell_changes_row` ON `cell_changes` (`dataset_id`,`row_id`,`id`);--> statement-breakpoint
CREATE TABLE `datasets` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`template` text NOT NULL,
	`settings` text DEFAULT '{}' NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `reviews` (
	`dataset_id` text NOT NULL,
	`row_id` text NOT NULL,
	`status` text NOT NULL,
	`open_flags` integer NOT NULL,
	PRIMARY KEY(`dataset_id`, `row_id`)
);
--> statement-breakpoint
CREATE TABLE `rows` (
	`dataset_id` text NOT NULL,
	`sheet_id` text NOT NULL,
	`row_id` text NOT NULL,
	`cells` text NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	`updated_by` text,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`dataset_id`, `sheet_id`, `row_id`)
);
--> statement-breakpoint
CREATE TABLE `sessions` (
	`id_hash` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `sheets` (
	`dataset_id` text NOT NULL,
	`sheet_id` text NOT NULL,
	`name` text NOT NULL,
	`columns` text NOT NULL,
	`position` integer NOT NULL,
	PRIMARY KEY(`dataset_id`, `sheet_id`)
);
--> statement-breakpoint
CREATE TABLE `snapshots` (
	`dataset_id` text PRIMARY KEY NOT NULL,
	`state` blob NOT NULL,
	`state_vector` blob,
	`up_to_seq` integer NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `updates` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`dataset_id` text NOT NULL,
	`update` blob NOT NULL,
	`state_vector` blob,
	`user_id` text,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `updates_dataset_seq` ON `updates` (`dataset_id`,`seq`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`token_hash` text NOT NULL,
	`password_hash` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_name_unique` ON `users` (`name`);--> statement-breakpoint
CREATE UNIQUE INDEX `users_token_hash_unique` ON `users` (`token_hash`);