CREATE TABLE "release_parts" (
	"dataset_id" text NOT NULL,
	"version" text NOT NULL,
	"sha256" text NOT NULL,
	"file" text NOT NULL,
	"seq" bigint NOT NULL,
	"bytes" "bytea" NOT NULL,
	CONSTRAINT "release_parts_dataset_id_version_sha256_file_seq_pk" PRIMARY KEY("dataset_id","version","sha256","file","seq")
);
