-- Whether the warehouse has a table (or view) named $name in its main schema: a reader of a table a later
-- version added (issue 16's cases) asks before reading it from an older warehouse.
SELECT count(*) > 0 FROM information_schema.tables WHERE table_schema = 'main' AND table_name = $name
