-- sqldiff: protocol=extended
-- The extended query protocol (Parse/Bind/Describe/Execute of the unnamed statement), as
-- pgbench -M extended and most drivers use it: row descriptions, command tags and errors must
-- be the same as by the simple protocol.
CREATE TABLE ext (id int PRIMARY KEY, name text, amount numeric(8, 2), at date);
INSERT INTO ext VALUES (1, 'one', 1.50, '2024-01-01'), (2, 'two', NULL, '2024-02-01');
INSERT INTO ext VALUES (3, 'three', 3, NULL) RETURNING id, name, amount;
SELECT id, name, amount, at FROM ext ORDER BY id;
SELECT count(*), sum(amount), max(at) FROM ext;
SELECT 1 AS a, 'x'::text AS b, 2.5::float8 AS c, true AS d, NULL::int AS e;
UPDATE ext SET amount = amount * 2 WHERE id = 1;
DELETE FROM ext WHERE id = 2;
SELECT id, amount FROM ext ORDER BY id;
BEGIN;
UPDATE ext SET name = 'uno' WHERE id = 1;
SELECT name FROM ext WHERE id = 1;
END;
BEGIN;
INSERT INTO ext VALUES (1, 'dup'); -- error 23505
SELECT 1; -- error 25P02
ROLLBACK;
SELECT 1 / 0; -- error 22012
SELECT nosuch FROM ext; -- error 42703
SELEC 1; -- error 42601
SELECT 'abc'::int; -- error 22P02
SELECT id FROM ext WHERE id > 100;
SET application_name = 'sqldiff';
SHOW application_name;
DROP TABLE ext;
