ALTER TABLE `datasets` ADD `converted_at` integer;--> statement-breakpoint
ALTER TABLE `snapshots` ADD `base_seq` integer DEFAULT 0 NOT NULL;