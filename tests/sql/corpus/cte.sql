-- Common table expressions: plain, several, referenced twice, recursive, data-modifying.
CREATE TABLE nodes (id int PRIMARY KEY, parent int, label text);
INSERT INTO nodes VALUES (1, NULL, 'root'), (2, 1, 'a'), (3, 1, 'b'), (4, 2, 'a1'), (5, 4, 'a1x'),
  (6, 3, 'b1');
WITH x AS (SELECT id, label FROM nodes WHERE parent = 1) SELECT * FROM x;
WITH x AS (SELECT 1 AS n), y AS (SELECT n + 1 AS n FROM x) SELECT x.n, y.n FROM x, y;
WITH c AS (SELECT count(*) AS n FROM nodes) SELECT n, n * 2 FROM c;
WITH x AS (SELECT id FROM nodes) SELECT a.id, b.id FROM x a JOIN x b ON b.id = a.id + 1;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT sum(n) FROM r;
WITH RECURSIVE fib(a, b) AS (SELECT 0::bigint, 1::bigint UNION ALL SELECT b, a + b FROM fib WHERE b < 100)
  SELECT a FROM fib ORDER BY a;
WITH RECURSIVE sub AS (SELECT id, label, 0 AS depth FROM nodes WHERE id = 2
  UNION ALL SELECT n.id, n.label, s.depth + 1 FROM nodes n JOIN sub s ON n.parent = s.id)
  SELECT id, label, depth FROM sub ORDER BY id;
WITH RECURSIVE path AS (SELECT id, label::text AS p FROM nodes WHERE parent IS NULL
  UNION ALL SELECT n.id, path.p || '/' || n.label FROM nodes n JOIN path ON n.parent = path.id)
  SELECT p FROM path ORDER BY p;
WITH RECURSIVE r(n) AS (SELECT 1 UNION SELECT n FROM r) SELECT n FROM r;
WITH x AS MATERIALIZED (SELECT id FROM nodes WHERE id < 3) SELECT count(*) FROM x;
WITH x AS NOT MATERIALIZED (SELECT id FROM nodes WHERE id < 3) SELECT count(*) FROM x;
WITH moved AS (DELETE FROM nodes WHERE id = 6 RETURNING id, label) SELECT * FROM moved;
WITH ins AS (INSERT INTO nodes VALUES (7, 3, 'b2') RETURNING id) SELECT id FROM ins;
WITH upd AS (UPDATE nodes SET label = upper(label) WHERE parent = 2 RETURNING id, label)
  SELECT * FROM upd;
SELECT id, label FROM nodes ORDER BY id;
WITH x AS (SELECT 1 AS n) SELECT * FROM y; -- error 42P01
WITH x AS (SELECT 1), x AS (SELECT 2) SELECT 1; -- error 42712
WITH RECURSIVE r(n) AS (SELECT n + 1 FROM r) SELECT n FROM r; -- error 42P19
WITH x(a, b) AS (SELECT 1) SELECT * FROM x; -- error 42P10
DROP TABLE nodes;
