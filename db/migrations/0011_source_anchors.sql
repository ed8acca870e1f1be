CREATE TABLE `source_anchors` (
	`dataset_id` text NOT NULL,
	`source_id` text NOT NULL,
	`sheet_id` text NOT NULL,
	`row_id` text NOT NULL,
	`cell` integer NOT NULL,
	`item` integer NOT NULL,
	`anchor_start` integer NOT NULL,
	`anchor_end` integer NOT NULL,
	`exact` text NOT NULL,
	PRIMARY KEY(`dataset_id`, `source_id`, `sheet_id`, `row_id`, `cell`, `item`)
);
--> statement-breakpoint
-- A row's anchors are the objects with an anchor's fields in its cells that hold a list (the write checks,
-- `cellProblem`, keep such a list all anchors), in the order of the row's JSON. A row whose JSON has no
-- "source" key has none and is not read. A row's anchors are found again from its old cells to be deleted
-- (by the table's key: no index by row to keep). Rows are inserted (or upserted) and deleted, never replaced.
CREATE TRIGGER `rows_anchors_insert` AFTER INSERT ON `rows` WHEN instr(new.`cells`, '"source"') > 0 BEGIN
  INSERT INTO `source_anchors` (`dataset_id`, `source_id`, `sheet_id`, `row_id`, `cell`, `item`, `anchor_start`, `anchor_end`, `exact`)
  SELECT new.`dataset_id`, json_extract(item.value, '$.source'), new.`sheet_id`, new.`row_id`, cell.id, item.key,
    json_extract(item.value, '$.start'), json_extract(item.value, '$.end'), json_extract(item.value, '$.exact')
  FROM json_each(new.`cells`) AS cell, json_each(CASE WHEN cell.type = 'array' THEN cell.value ELSE '[]' END) AS item
  WHERE instr(new.`cells`, '"source"') > 0 AND item.type = 'object' AND json_type(item.value, '$.source') = 'text' AND json_type(item.value, '$.exact') = 'text'
    AND json_type(item.value, '$.start') = 'integer' AND json_type(item.value, '$.end') = 'integer';
END;
--> statement-breakpoint
CREATE TRIGGER `rows_anchors_update` AFTER UPDATE OF `cells` ON `rows`
WHEN old.`cells` IS NOT new.`cells` AND (instr(old.`cells`, '"source"') > 0 OR instr(new.`cells`, '"source"') > 0) BEGIN
  DELETE FROM `source_anchors` WHERE `dataset_id` = old.`dataset_id` AND `sheet_id` = old.`sheet_id` AND `row_id` = old.`row_id`
    AND `source_id` IN (SELECT json_extract(item.value, '$.source') FROM json_each(old.`cells`) AS cell, json_each(CASE WHEN cell.type = 'array' THEN cell.value ELSE '[]' END) AS item WHERE item.type = 'object');
  INSERT INTO `source_anchors` (`dataset_id`, `source_id`, `sheet_id`, `row_id`, `cell`, `item`, `anchor_start`, `anchor_end`, `exact`)
  SELECT new.`dataset_id`, json_extract(item.value, '$.source'), new.`sheet_id`, new.`row_id`, cell.id, item.key,
    json_extract(item.value, '$.start'), json_extract(item.value, '$.end'), json_extract(item.value, '$.exact')
  FROM json_each(new.`cells`) AS cell, json_each(CASE WHEN cell.type = 'array' THEN cell.value ELSE '[]' END) AS item
  WHERE instr(new.`cells`, '"source"') > 0 AND item.type = 'object' AND json_type(item.value, '$.source') = 'text' AND json_type(item.value, '$.exact') = 'text'
    AND json_type(item.value, '$.start') = 'integer' AND json_type(item.value, '$.end') = 'integer';
END;
--> statement-breakpoint
CREATE TRIGGER `rows_anchors_delete` AFTER DELETE ON `rows` WHEN instr(old.`cells`, '"source"') > 0 BEGIN
  DELETE FROM `source_anchors` WHERE `dataset_id` = old.`dataset_id` AND `sheet_id` = old.`sheet_id` AND `row_id` = old.`row_id`
    AND `source_id` IN (SELECT json_extract(item.value, '$.source') FROM json_each(old.`cells`) AS cell, json_each(CASE WHEN cell.type = 'array' THEN cell.value ELSE '[]' END) AS item WHERE item.type = 'object');
END;
--> statement-breakpoint
-- The rows stored before: their anchors, once.
INSERT INTO `source_anchors` (`dataset_id`, `source_id`, `sheet_id`, `row_id`, `cell`, `item`, `anchor_start`, `anchor_end`, `exact`)
SELECT r.`dataset_id`, json_extract(item.value, '$.source'), r.`sheet_id`, r.`row_id`, cell.id, item.key,
  json_extract(item.value, '$.start'), json_extract(item.value, '$.end'), json_extract(item.value, '$.exact')
FROM `rows` AS r, json_each(r.`cells`) AS cell, json_each(CASE WHEN cell.type = 'array' THEN cell.value ELSE '[]' END) AS item
WHERE instr(r.`cells`, '"source"') > 0 AND item.type = 'object' AND json_type(item.value, '$.source') = 'text' AND json_type(item.value, '$.exact') = 'text'
  AND json_type(item.value, '$.start') = 'integer' AND json_type(item.value, '$.end') = 'integer';
