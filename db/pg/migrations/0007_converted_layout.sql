ALTER TABLE "datasets" ADD COLUMN "converted_at" bigint;--> statement-breakpoint
ALTER TABLE "snapshots" ADD COLUMN "base_seq" bigint DEFAULT 0 NOT NULL;