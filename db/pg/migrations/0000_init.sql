CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" bigint NOT NULL,
	"actor_id" text,
	"action" text NOT NULL,
	"target" text NOT NULL,
	"detail" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cell_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"dataset_id" text NOT NULL,
	"sheet_id" text NOT NULL,
	"row_id" text NOT NULL,
	"column_id" text NOT NULL,
	"old" text,
	"new" text,
	"user_id" text,
	"at" bigint NOT NULL,
	"note" text
);
--> statement-breakpoint
CREATE TABLE "conflicts" (
	"dataset_id" text NOT NULL,
	"conflict_id" text NOT NULL,
	"sheet_id" text NOT NULL,
	"row_id" text NOT NULL,
	"column_id" text NOT NULL,
	"kept" text,
	"kept_by" text,
	"lost" text,
	"lost_by" text,
	"at" text NOT NULL,
	"status" text NOT NULL,
	"resolved_by" text,
	"resolved_at" text,
	CONSTRAINT "conflicts_dataset_id_conflict_id_pk" PRIMARY KEY("dataset_id","conflict_id")
);
--> statement-breakpoint
CREATE TABLE "dataset_members" (
	"dataset_id" text NOT NULL,
	"user_id" text NOT NULL,
	"role" text NOT NULL,
	"added_by" text,
	"added_at" bigint NOT NULL,
	CONSTRAINT "dataset_members_dataset_id_user_id_pk" PRIMARY KEY("dataset_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "datasets" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"template" text NOT NULL,
	"settings" text DEFAULT '{}' NOT NULL,
	"created_by" text,
	"created_at" bigint NOT NULL,
	"archived_at" bigint,
	"access" text DEFAULT 'everyone' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "flags" (
	"dataset_id" text NOT NULL,
	"flag_id" text NOT NULL,
	"row_id" text NOT NULL,
	"sheet_id" text NOT NULL,
	"column_id" text,
	"reason" text NOT NULL,
	"note" text NOT NULL,
	"by" text NOT NULL,
	"at" text NOT NULL,
	"status" text NOT NULL,
	"resolved_by" text,
	"resolved_at" text,
	"resolution" text,
	"comments" text NOT NULL,
	CONSTRAINT "flags_dataset_id_flag_id_pk" PRIMARY KEY("dataset_id","flag_id")
);
--> statement-breakpoint
CREATE TABLE "releases" (
	"dataset_id" text NOT NULL,
	"version" text NOT NULL,
	"rank" bigint NOT NULL,
	"created_at" bigint NOT NULL,
	"created_by" text,
	"notes" text NOT NULL,
	"row_filter" text NOT NULL,
	"row_counts" text NOT NULL,
	"sha256" text NOT NULL,
	"zip" "bytea" NOT NULL,
	"snapshot" "bytea" NOT NULL,
	CONSTRAINT "releases_dataset_id_version_pk" PRIMARY KEY("dataset_id","version")
);
--> statement-breakpoint
CREATE TABLE "reviews" (
	"dataset_id" text NOT NULL,
	"row_id" text NOT NULL,
	"status" text NOT NULL,
	"open_flags" bigint NOT NULL,
	CONSTRAINT "reviews_dataset_id_row_id_pk" PRIMARY KEY("dataset_id","row_id")
);
--> statement-breakpoint
CREATE TABLE "round_adjudications" (
	"dataset_id" text NOT NULL,
	"round_id" text NOT NULL,
	"row_id" text NOT NULL,
	"column_id" text NOT NULL,
	"value" text,
	"coder_values" text NOT NULL,
	"user_id" text NOT NULL,
	"at" bigint NOT NULL,
	CONSTRAINT "round_adjudications_dataset_id_round_id_row_id_column_id_pk" PRIMARY KEY("dataset_id","round_id","row_id","column_id")
);
--> statement-breakpoint
CREATE TABLE "round_coders" (
	"dataset_id" text NOT NULL,
	"round_id" text NOT NULL,
	"user_id" text NOT NULL,
	"position" bigint NOT NULL,
	"submitted_at" bigint,
	CONSTRAINT "round_coders_dataset_id_round_id_user_id_pk" PRIMARY KEY("dataset_id","round_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "rounds" (
	"dataset_id" text NOT NULL,
	"round_id" text NOT NULL,
	"name" text NOT NULL,
	"sheet_id" text NOT NULL,
	"rows" text NOT NULL,
	"columns" text NOT NULL,
	"levels" text NOT NULL,
	"sample_percent" double precision,
	"sample_seed" bigint,
	"created_by" text NOT NULL,
	"created_at" bigint NOT NULL,
	CONSTRAINT "rounds_dataset_id_round_id_pk" PRIMARY KEY("dataset_id","round_id")
);
--> statement-breakpoint
CREATE TABLE "rows" (
	"dataset_id" text NOT NULL,
	"sheet_id" text NOT NULL,
	"row_id" text NOT NULL,
	"cells" text NOT NULL,
	"created_by" text,
	"created_at" bigint NOT NULL,
	"updated_by" text,
	"updated_at" bigint NOT NULL,
	CONSTRAINT "rows_dataset_id_sheet_id_row_id_pk" PRIMARY KEY("dataset_id","sheet_id","row_id")
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id_hash" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sheets" (
	"dataset_id" text NOT NULL,
	"sheet_id" text NOT NULL,
	"name" text NOT NULL,
	"columns" text NOT NULL,
	"position" bigint NOT NULL,
	CONSTRAINT "sheets_dataset_id_sheet_id_pk" PRIMARY KEY("dataset_id","sheet_id")
);
--> statement-breakpoint
CREATE TABLE "signin_links" (
	"id_hash" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"created_by" text,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL,
	"used_at" bigint
);
--> statement-breakpoint
CREATE TABLE "snapshots" (
	"dataset_id" text PRIMARY KEY NOT NULL,
	"state" "bytea" NOT NULL,
	"state_vector" "bytea",
	"up_to_seq" bigint NOT NULL,
	"at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sources" (
	"dataset_id" text NOT NULL,
	"source_id" text NOT NULL,
	"title" text NOT NULL,
	"url" text,
	"outlet" text,
	"published_at" text,
	"text" text NOT NULL,
	"sha256" text NOT NULL,
	"length" bigint NOT NULL,
	"created_by" text,
	"created_at" bigint NOT NULL,
	CONSTRAINT "sources_dataset_id_source_id_pk" PRIMARY KEY("dataset_id","source_id")
);
--> statement-breakpoint
CREATE TABLE "updates" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"dataset_id" text NOT NULL,
	"update" "bytea" NOT NULL,
	"state_vector" "bytea",
	"user_id" text,
	"at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"token_hash" text NOT NULL,
	"password_hash" text,
	"created_at" bigint NOT NULL,
	"disabled_at" bigint,
	CONSTRAINT "users_name_unique" UNIQUE("name"),
	CONSTRAINT "users_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
ALTER TABLE "dataset_members" ADD CONSTRAINT "dataset_members_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dataset_members" ADD CONSTRAINT "dataset_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "datasets" ADD CONSTRAINT "datasets_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rounds" ADD CONSTRAINT "rounds_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signin_links" ADD CONSTRAINT "signin_links_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "cell_changes_row" ON "cell_changes" USING btree ("dataset_id","row_id","id");--> statement-breakpoint
CREATE INDEX "conflicts_cell" ON "conflicts" USING btree ("dataset_id","row_id","column_id");--> statement-breakpoint
CREATE INDEX "dataset_members_user" ON "dataset_members" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "flags_row" ON "flags" USING btree ("dataset_id","row_id");--> statement-breakpoint
CREATE INDEX "releases_rank" ON "releases" USING btree ("dataset_id","rank");--> statement-breakpoint
CREATE INDEX "round_coders_user" ON "round_coders" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "updates_dataset_seq" ON "updates" USING btree ("dataset_id","seq");