-- One-dimensional arrays: literals, constructors, subscripts, ANY/ALL, ||, the array functions, array columns; and the reg* types.
SELECT ARRAY[1, 2, 3], ARRAY['a', 'b c', NULL, ''], ARRAY[1.5, 2], ARRAY[true, false];
SELECT '{1,2,NULL}'::int[], '{}'::text[], '{"a\"b", "x\\y", " sp "}'::text[], '{ 1 , 2 }'::int[];
SELECT ARRAY[]::int[], cardinality(ARRAY[]::int[]), array_length(ARRAY[]::int[], 1);
SELECT ARRAY[]; -- error 42P18
SELECT '{1,2'::int[]; -- error 22P02
SELECT '1,2'::int[]; -- error 22P02
SELECT '{1,x}'::int[]; -- error 22P02
SELECT '{{1,2},{3,4}}'::int[];
SELECT (ARRAY[10, 20, 30])[2], (ARRAY[10, 20, 30])[0], (ARRAY[10, 20, 30])[4], (ARRAY[10, 20])[NULL];
SELECT 2 = ANY (ARRAY[1, 2, 3]), 5 = ANY (ARRAY[1, 2, 3]), 5 = ANY (ARRAY[1, NULL]), NULL::int = ANY (ARRAY[1]);
SELECT 1 < ALL (ARRAY[2, 3]), 1 < ALL (ARRAY[0, 3]), 1 < ALL (ARRAY[2, NULL]), 1 = ANY ('{}'::int[]), 1 = ALL ('{}'::int[]);
SELECT 'b' = ANY ('{a,b}'), 2.5 = ANY (ARRAY[1, 2]), 3 <> ALL (ARRAY[1, 2]);
SELECT 1 = ANY (1); -- error 42809
SELECT ARRAY[1, 2] || ARRAY[3], ARRAY[1, 2] || 3, 0 || ARRAY[1, 2], ARRAY['x'] || '{y,z}', ARRAY[1] || NULL::int[];
SELECT ARRAY[1, 2] = ARRAY[1, 2], ARRAY[1, 2] < ARRAY[1, 3], ARRAY[1, 2] < ARRAY[1, 2, 0], ARRAY[1, NULL] > ARRAY[1, 5];
SELECT array_to_string(ARRAY[1, NULL, 3], ','), array_to_string(ARRAY[1, NULL, 3], ',', '*'), array_to_string(ARRAY['a'], NULL);
SELECT array_length(ARRAY[1, 2, 3], 1), array_length(ARRAY[1, 2, 3], 2), array_upper(ARRAY[5, 6], 1), array_lower(ARRAY[5, 6], 1);
SELECT array_append(ARRAY[1], 2), array_append(NULL::int[], 2), array_prepend(0, ARRAY[1]), array_cat(ARRAY[1], ARRAY[2, 3]);
SELECT array_position(ARRAY['a', 'b', NULL], 'b'), array_position(ARRAY['a', NULL], NULL), array_position(ARRAY[1], 9), array_remove(ARRAY[1, 2, 1, NULL], 1), array_remove(ARRAY[1, NULL], NULL);
SELECT string_to_array('a,b,,c', ','), string_to_array('abc', NULL), string_to_array('', ','), string_to_array('a-x-b', '-', 'x'), string_to_array('ab', '');
SELECT ARRAY(SELECT g FROM generate_series(1, 4) g WHERE g % 2 = 0), ARRAY(SELECT 1 WHERE false);
SELECT x FROM unnest(ARRAY['p', NULL, 'q']) x;
SELECT u, u * 2 FROM unnest('{3,1,2}'::int[]) AS u ORDER BY u;
SELECT * FROM unnest('{a,b}'); -- error 42725
CREATE TABLE arr (id int PRIMARY KEY, tags text[], nums int[] NOT NULL DEFAULT '{}');
INSERT INTO arr VALUES (1, '{red,green}', ARRAY[1, 2]), (2, NULL, '{3}'), (3, ARRAY['blue'], DEFAULT);
INSERT INTO arr VALUES (4, '{"with space","q\"uote"}', ARRAY[NULL, 4]::int[]);
SELECT id, tags, nums, tags[1], cardinality(nums) FROM arr ORDER BY id;
SELECT id FROM arr WHERE 'green' = ANY (tags) OR 3 = ANY (nums) ORDER BY id;
UPDATE arr SET nums = nums || id WHERE id <> 2 RETURNING id, nums;
SELECT nums, count(*) FROM arr GROUP BY nums ORDER BY nums;
SELECT id, tags FROM arr ORDER BY tags NULLS FIRST, id;
SELECT DISTINCT array_length(nums, 1) AS n FROM arr ORDER BY n;
SELECT ARRAY[1, 2]::text[], ARRAY['1', '2']::int[], '{1.7,2.2}'::numeric[]::int[], ARRAY[1, 2]::text;
SELECT ARRAY['abcdef']::varchar(3)[];
CREATE INDEX arr_tags ON arr (tags);
SELECT 'arr'::regclass, 'arr'::regclass::oid > 16000, 'public.arr'::regclass, 'arr_pkey'::regclass, 'pg_class'::regclass::oid;
SELECT 'nosuch'::regclass; -- error 42P01
SELECT 'integer'::regtype, 'int4[]'::regtype, 25::regtype, 'pg_catalog'::regnamespace, 0::regclass, 'postgres'::regrole;
SELECT 'nosuchtype'::regtype; -- error 42704
SELECT count(*) FROM pg_class WHERE oid = 'arr'::regclass;
SELECT relname FROM pg_class WHERE oid = ANY (ARRAY['arr'::regclass, 'arr_pkey'::regclass]) ORDER BY 1;
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'arr'::regclass AND attnum > 0 ORDER BY attnum;
SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 'arr'::regclass;
SELECT conname, contype::text, pg_get_constraintdef(oid), pg_get_constraintdef(oid, true) FROM pg_constraint WHERE conrelid = 'arr'::regclass ORDER BY 1;
SELECT pg_get_indexdef('arr_pkey'::regclass), pg_get_indexdef('arr_pkey'::regclass, 1, true);
DROP TABLE arr;
CREATE TABLE agg_src (g int, v text);
INSERT INTO agg_src VALUES (1, 'b'), (1, NULL), (1, 'a'), (2, 'c'), (2, 'c'), (3, NULL);
SELECT g, array_agg(v), array_agg(DISTINCT v), array_length(array_agg(v), 1) FROM agg_src GROUP BY g ORDER BY g;
SELECT array_agg(g) FROM agg_src WHERE false;
SELECT array_agg(ARRAY[g]) FROM agg_src;
DROP TABLE agg_src;
SELECT quote_ident('select'), quote_ident('Foo'), quote_ident('abc'), quote_ident('user'), quote_ident('name'), quote_ident('a"b'), quote_ident('1x'), quote_ident('');
CREATE TABLE "select" (id serial, v int GENERATED ALWAYS AS IDENTITY);
SELECT 'select'::regclass, '"select"'::regclass::oid = (SELECT oid FROM pg_class WHERE relname = 'select');
SELECT c.relname, d.deptype::text, d.refobjsubid FROM pg_depend d JOIN pg_class c ON c.oid = d.objid WHERE d.refobjid = '"select"'::regclass ORDER BY 1;
SELECT format_type(23, NULL), format_type(1043, 14), format_type(NULL, 1);
DROP TABLE "select";
