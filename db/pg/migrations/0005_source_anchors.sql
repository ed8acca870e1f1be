CREATE TABLE "source_anchors" (
	"dataset_id" text NOT NULL,
	"source_id" text NOT NULL,
	"sheet_id" text NOT NULL,
	"row_id" text NOT NULL,
	"cell" bigint NOT NULL,
	"item" bigint NOT NULL,
	"anchor_start" bigint NOT NULL,
	"anchor_end" bigint NOT NULL,
	"exact" text NOT NULL,
	CONSTRAINT "source_anchors_dataset_id_source_id_sheet_id_row_id_cell_item_pk" PRIMARY KEY("dataset_id","source_id","sheet_id","row_id","cell","item")
);
--> statement-breakpoint
-- A row's anchors are the objects with an anchor's fields in its cells that hold a list (the write checks,
-- `cellProblem`, keep such a list all anchors), in the order of the row's JSON (`json`, not `jsonb`, keeps it).
CREATE FUNCTION "source_anchors_of"(cells text)
RETURNS TABLE ("source_id" text, "cell" bigint, "item" bigint, "anchor_start" bigint, "anchor_end" bigint, "exact" text)
LANGUAGE sql IMMUTABLE AS $$
  SELECT item.value ->> 'source', cell.n, item.n - 1, (item.value ->> 'start')::bigint, (item.value ->> 'end')::bigint, item.value ->> 'exact'
  FROM json_each(cells::json) WITH ORDINALITY AS cell(key, value, n),
    json_array_elements(CASE WHEN json_typeof(cell.value) = 'array' THEN cell.value ELSE '[]'::json END) WITH ORDINALITY AS item(value, n)
  WHERE json_typeof(item.value) = 'object' AND json_typeof(item.value -> 'source') = 'string' AND json_typeof(item.value -> 'exact') = 'string'
    AND (item.value ->> 'start') ~ '^[0-9]{1,15}$' AND (item.value ->> 'end') ~ '^[0-9]{1,15}$'
$$;
--> statement-breakpoint
-- Once per statement, from its transition tables; a row whose JSON has no "source" key has no anchors and is
-- not read. A row's anchors are found again from its old cells to be deleted (by the table's key: no index by
-- row to keep). A row whose JSON PostgreSQL cannot read as text (a \u0000, a lone surrogate) has no anchors
-- listed rather than failing its write: the statement's rows are then taken one at a time.
CREATE FUNCTION "rows_anchors_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  BEGIN
    INSERT INTO "source_anchors" ("dataset_id", "source_id", "sheet_id", "row_id", "cell", "item", "anchor_start", "anchor_end", "exact")
    SELECT n."dataset_id", a."source_id", n."sheet_id", n."row_id", a."cell", a."item", a."anchor_start", a."anchor_end", a."exact"
    FROM inserted n CROSS JOIN LATERAL "source_anchors_of"(n."cells") a WHERE strpos(n."cells", '"source"') > 0;
  EXCEPTION WHEN invalid_text_representation OR untranslatable_character THEN
    FOR r IN SELECT * FROM inserted n WHERE strpos(n."cells", '"source"') > 0 LOOP
      BEGIN
        INSERT INTO "source_anchors" ("dataset_id", "source_id", "sheet_id", "row_id", "cell", "item", "anchor_start", "anchor_end", "exact")
        SELECT r."dataset_id", a."source_id", r."sheet_id", r."row_id", a."cell", a."item", a."anchor_start", a."anchor_end", a."exact"
        FROM "source_anchors_of"(r."cells") a;
      EXCEPTION WHEN invalid_text_representation OR untranslatable_character THEN NULL;
      END;
    END LOOP;
  END;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "rows_anchors_insert" AFTER INSERT ON "rows" REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION "rows_anchors_insert"();
--> statement-breakpoint
CREATE FUNCTION "rows_anchors_update"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  BEGIN
    DELETE FROM "source_anchors" a USING (
      SELECT DISTINCT o."dataset_id", o."sheet_id", o."row_id", s."source_id"
      FROM old_rows o CROSS JOIN LATERAL "source_anchors_of"(o."cells") s WHERE strpos(o."cells", '"source"') > 0) o
    WHERE a."dataset_id" = o."dataset_id" AND a."source_id" = o."source_id" AND a."sheet_id" = o."sheet_id" AND a."row_id" = o."row_id";
  EXCEPTION WHEN invalid_text_representation OR untranslatable_character THEN
    FOR r IN SELECT * FROM old_rows o WHERE strpos(o."cells", '"source"') > 0 LOOP
      BEGIN
        DELETE FROM "source_anchors" a USING "source_anchors_of"(r."cells") s
        WHERE a."dataset_id" = r."dataset_id" AND a."source_id" = s."source_id" AND a."sheet_id" = r."sheet_id" AND a."row_id" = r."row_id";
      EXCEPTION WHEN invalid_text_representation OR untranslatable_character THEN NULL;
      END;
    END LOOP;
  END;
  BEGIN
    INSERT INTO "source_anchors" ("dataset_id", "source_id", "sheet_id", "row_id", "cell", "item", "anchor_start", "anchor_end", "exact")
    SELECT n."dataset_id", a."source_id", n."sheet_id", n."row_id", a."cell", a."item", a."anchor_start", a."anchor_end", a."exact"
    FROM new_rows n CROSS JOIN LATERAL "source_anchors_of"(n."cells") a WHERE strpos(n."cells", '"source"') > 0;
  EXCEPTION WHEN invalid_text_representation OR untranslatable_character THEN
    FOR r IN SELECT * FROM new_rows n WHERE strpos(n."cells", '"source"') > 0 LOOP
      BEGIN
        INSERT INTO "source_anchors" ("dataset_id", "source_id", "sheet_id", "row_id", "cell", "item", "anchor_start", "anchor_end", "exact")
        SELECT r."dataset_id", a."source_id", r."sheet_id", r."row_id", a."cell", a."item", a."anchor_start", a."anchor_end", a."exact"
        FROM "source_anchors_of"(r."cells") a;
      EXCEPTION WHEN invalid_text_representation OR untranslatable_character THEN NULL;
      END;
    END LOOP;
  END;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "rows_anchors_update" AFTER UPDATE ON "rows" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "rows_anchors_update"();
--> statement-breakpoint
CREATE FUNCTION "rows_anchors_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  BEGIN
    DELETE FROM "source_anchors" a USING (
      SELECT DISTINCT o."dataset_id", o."sheet_id", o."row_id", s."source_id"
      FROM deleted o CROSS JOIN LATERAL "source_anchors_of"(o."cells") s WHERE strpos(o."cells", '"source"') > 0) o
    WHERE a."dataset_id" = o."dataset_id" AND a."source_id" = o."source_id" AND a."sheet_id" = o."sheet_id" AND a."row_id" = o."row_id";
  EXCEPTION WHEN invalid_text_representation OR untranslatable_character THEN
    FOR r IN SELECT * FROM deleted o WHERE strpos(o."cells", '"source"') > 0 LOOP
      BEGIN
        DELETE FROM "source_anchors" a USING "source_anchors_of"(r."cells") s
        WHERE a."dataset_id" = r."dataset_id" AND a."source_id" = s."source_id" AND a."sheet_id" = r."sheet_id" AND a."row_id" = r."row_id";
      EXCEPTION WHEN invalid_text_representation OR untranslatable_character THEN NULL;
      END;
    END LOOP;
  END;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "rows_anchors_delete" AFTER DELETE ON "rows" REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION "rows_anchors_delete"();
--> statement-breakpoint
-- The rows stored before: their anchors, once.
DO $$
DECLARE r record;
BEGIN
  BEGIN
    INSERT INTO "source_anchors" ("dataset_id", "source_id", "sheet_id", "row_id", "cell", "item", "anchor_start", "anchor_end", "exact")
    SELECT n."dataset_id", a."source_id", n."sheet_id", n."row_id", a."cell", a."item", a."anchor_start", a."anchor_end", a."exact"
    FROM "rows" n CROSS JOIN LATERAL "source_anchors_of"(n."cells") a WHERE strpos(n."cells", '"source"') > 0;
  EXCEPTION WHEN invalid_text_representation OR untranslatable_character THEN
    FOR r IN SELECT * FROM "rows" n WHERE strpos(n."cells", '"source"') > 0 LOOP
      BEGIN
        INSERT INTO "source_anchors" ("dataset_id", "source_id", "sheet_id", "row_id", "cell", "item", "anchor_start", "anchor_end", "exact")
        SELECT r."dataset_id", a."source_id", r."sheet_id", r."row_id", a."cell", a."item", a."anchor_start", a."anchor_end", a."exact"
        FROM "source_anchors_of"(r."cells") a;
      EXCEPTION WHEN invalid_text_representation OR untranslatable_character THEN NULL;
      END;
    END LOOP;
  END;
END $$;
