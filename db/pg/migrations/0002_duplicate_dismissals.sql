CREATE TABLE "duplicate_dismissals" (
	"dataset_id" text NOT NULL,
	"sheet_id" text NOT NULL,
	"rows" text NOT NULL,
	"dismissed_by" text,
	"dismissed_at" bigint NOT NULL,
	CONSTRAINT "duplicate_dismissals_dataset_id_sheet_id_rows_pk" PRIMARY KEY("dataset_id","sheet_id","rows")
);
--> statement-breakpoint
ALTER TABLE "duplicate_dismissals" ADD CONSTRAINT "duplicate_dismissals_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE cascade ON UPDATE no action;