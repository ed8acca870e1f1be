ALTER TABLE "sheets" ADD COLUMN "row_count" bigint DEFAULT 0 NOT NULL;
--> statement-breakpoint
UPDATE "sheets" SET "row_count" = (SELECT count(*) FROM "rows" WHERE "rows"."dataset_id" = "sheets"."dataset_id" AND "rows"."sheet_id" = "sheets"."sheet_id");
--> statement-breakpoint
-- Once per statement, from the rows it inserted (an upsert's transition table holds only the rows it inserted).
CREATE FUNCTION "rows_count_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "sheets" s SET "row_count" = s."row_count" + n.n
  FROM (SELECT "dataset_id", "sheet_id", count(*) AS n FROM inserted GROUP BY 1, 2) n
  WHERE s."dataset_id" = n."dataset_id" AND s."sheet_id" = n."sheet_id";
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "rows_count_insert" AFTER INSERT ON "rows" REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION "rows_count_insert"();
--> statement-breakpoint
CREATE FUNCTION "rows_count_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "sheets" s SET "row_count" = s."row_count" - n.n
  FROM (SELECT "dataset_id", "sheet_id", count(*) AS n FROM deleted GROUP BY 1, 2) n
  WHERE s."dataset_id" = n."dataset_id" AND s."sheet_id" = n."sheet_id";
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "rows_count_delete" AFTER DELETE ON "rows" REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION "rows_count_delete"();
--> statement-breakpoint
-- A sheet's row may be stored after its first rows (a new dataset's first commit writes rows first): it starts from them.
CREATE FUNCTION "sheets_count_start"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."row_count" := (SELECT count(*) FROM "rows" WHERE "dataset_id" = NEW."dataset_id" AND "sheet_id" = NEW."sheet_id");
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER "sheets_count_start" BEFORE INSERT ON "sheets" FOR EACH ROW EXECUTE FUNCTION "sheets_count_start"();
