-- WITH RECURSIVE: UNION and UNION ALL, working tables, column types from the non-recursive
-- term, trees and graphs, LIMIT over an endless recursion, and PostgreSQL's errors for invalid
-- recursive references (42P19), type mismatches (42804) and what is not implemented (0A000).
CREATE TABLE edges (src int, dst int);
INSERT INTO edges VALUES (1, 2), (2, 3), (3, 4), (2, 5), (5, 6), (6, 2), (7, 8);
CREATE TABLE emp (id int PRIMARY KEY, boss int, name text, salary numeric(8,2));
INSERT INTO emp VALUES (1, NULL, 'ceo', 500.00), (2, 1, 'cto', 300.00), (3, 1, 'cfo', 280.50),
  (4, 2, 'dev1', 150.25), (5, 2, 'dev2', 140.00), (6, 4, 'intern', 50.00), (7, 3, 'acct', 90.00);
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT n FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 100) SELECT count(*), sum(n), max(n) FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n FROM r LIMIT 7;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n FROM r WHERE n % 3 = 0 LIMIT 4;
WITH RECURSIVE r AS (SELECT 1 AS x UNION ALL SELECT x + 1 FROM r WHERE x < 3) SELECT * FROM r;
WITH RECURSIVE r(n, sq) AS (SELECT 1, 1 UNION ALL SELECT n + 1, (n + 1) * (n + 1) FROM r WHERE n < 6)
  SELECT n, sq FROM r ORDER BY n DESC;
WITH RECURSIVE r(s) AS (SELECT 'a' UNION ALL SELECT s || 'b' FROM r WHERE length(s) < 4)
  SELECT s, pg_typeof(s) FROM r;
WITH RECURSIVE r(n) AS (VALUES (1) UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r;
WITH RECURSIVE r(n) AS (SELECT 1::bigint UNION ALL SELECT n * 2 FROM r WHERE n < 1000000000000)
  SELECT max(n), pg_typeof(max(n)) FROM r;
WITH RECURSIVE r(d) AS (SELECT 1.5::numeric UNION ALL SELECT d * 2 FROM r WHERE d < 50) SELECT d FROM r;
WITH RECURSIVE fact(n, f) AS (SELECT 1, 1::numeric UNION ALL SELECT n + 1, f * (n + 1) FROM fact WHERE n < 20)
  SELECT n, f FROM fact WHERE n IN (5, 10, 20) ORDER BY n;
-- reachability over a graph with a cycle: UNION stops, UNION ALL would not
WITH RECURSIVE reach(node) AS (SELECT 1 UNION SELECT e.dst FROM edges e JOIN reach r ON e.src = r.node)
  SELECT node FROM reach ORDER BY node;
WITH RECURSIVE reach(node) AS (SELECT 7 UNION SELECT e.dst FROM edges e, reach r WHERE e.src = r.node)
  SELECT node FROM reach ORDER BY node;
WITH RECURSIVE walk(node, depth) AS (SELECT 1, 0 UNION ALL
  SELECT e.dst, w.depth + 1 FROM walk w JOIN edges e ON e.src = w.node WHERE w.depth < 6)
  SELECT depth, count(*) FROM walk GROUP BY depth ORDER BY depth;
WITH RECURSIVE r(n) AS (SELECT 1 UNION SELECT (n % 4) + 1 FROM r) SELECT n FROM r ORDER BY n;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT 1 FROM r WHERE false) SELECT n FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 WHERE false UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r;
-- an org chart: paths, depth, subtree totals
WITH RECURSIVE chart AS (SELECT id, name, 1 AS level, name AS path FROM emp WHERE boss IS NULL
  UNION ALL SELECT e.id, e.name, c.level + 1, c.path || ' > ' || e.name FROM emp e JOIN chart c ON e.boss = c.id)
  SELECT id, level, path FROM chart ORDER BY path;
WITH RECURSIVE under_cto AS (SELECT id, salary FROM emp WHERE name = 'cto'
  UNION ALL SELECT e.id, e.salary FROM emp e JOIN under_cto u ON e.boss = u.id)
  SELECT count(*), sum(salary) FROM under_cto;
WITH RECURSIVE up(id, boss, name) AS (SELECT id, boss, name FROM emp WHERE id = 6
  UNION ALL SELECT e.id, e.boss, e.name FROM emp e, up WHERE e.id = up.boss)
  SELECT string_agg(name, ' < ') FROM up;
-- several CTEs, recursive and not, referencing each other; a recursive CTE used twice
WITH RECURSIVE base AS (SELECT 3 AS lim), r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r, base WHERE n < lim)
  SELECT n FROM r ORDER BY n;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3)
  SELECT a.n, b.n FROM r a JOIN r b ON b.n = a.n + 1 ORDER BY a.n;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 4)
  SELECT n FROM r WHERE n > (SELECT avg(n) FROM r) ORDER BY n;
SELECT (WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT sum(n) FROM r);
SELECT x, (WITH RECURSIVE r(n) AS (SELECT x UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT count(*) FROM r) AS c
  FROM (VALUES (1), (2), (3)) v(x) ORDER BY x;
SELECT * FROM (WITH RECURSIVE r(n) AS (SELECT 10 UNION ALL SELECT n - 3 FROM r WHERE n > 0) SELECT n FROM r) s
  ORDER BY n;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT x.n, y.m FROM r x(n), r y(m)
  ORDER BY 1, 2;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3),
  s(m) AS (SELECT n * 10 FROM r UNION ALL SELECT m + 1 FROM s WHERE m % 10 < 2)
  SELECT m FROM s ORDER BY m;
-- a recursive reference inside a FROM subquery of the recursive term is allowed
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM (SELECT n FROM r) t WHERE n < 4) SELECT n FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT r.n + 1 FROM edges RIGHT JOIN r ON false WHERE r.n < 3)
  SELECT n FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3 GROUP BY n HAVING n < 3) SELECT n FROM r;
WITH RECURSIVE t AS (SELECT 1 AS a) SELECT * FROM t;
-- errors
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT (SELECT n FROM r)) SELECT * FROM r; -- error 42P19
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE EXISTS (SELECT 1 FROM r)) SELECT * FROM r; -- error 42P19
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n IN (SELECT n FROM r)) SELECT * FROM r; -- error 42P19
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT r.n FROM r, r r2) SELECT * FROM r; -- error 42P19
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT r.n FROM edges LEFT JOIN r ON true) SELECT * FROM r; -- error 42P19
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT r.n FROM r FULL JOIN edges ON true) SELECT * FROM r; -- error 42P19
WITH RECURSIVE r(n) AS (SELECT 1 INTERSECT SELECT n FROM r) SELECT * FROM r; -- error 42P19
WITH RECURSIVE r(n) AS (SELECT 1 EXCEPT SELECT n FROM r) SELECT * FROM r; -- error 42P19
WITH RECURSIVE r(n) AS (SELECT n FROM r UNION SELECT 1) SELECT * FROM r; -- error 42P19
WITH RECURSIVE r(n) AS (SELECT * FROM r) SELECT * FROM r; -- error 42P19
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5 UNION ALL SELECT 7) SELECT * FROM r; -- error 42P19
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT count(*) FROM r) SELECT * FROM r; -- error 42P19
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r ORDER BY 1) SELECT * FROM r; -- error 0A000
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r LIMIT 3) SELECT * FROM r; -- error 0A000
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r OFFSET 1) SELECT * FROM r; -- error 0A000
WITH RECURSIVE a AS (SELECT * FROM b), b AS (SELECT * FROM a) SELECT * FROM a; -- error 0A000
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n::bigint + 1 FROM r WHERE n < 3) SELECT * FROM r; -- error 42804
WITH RECURSIVE r(n) AS (SELECT 1::numeric(5,1) UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r; -- error 42804
WITH RECURSIVE r(n) AS (SELECT 'a'::varchar(5) UNION ALL SELECT n || 'b' FROM r WHERE length(n) < 3) SELECT * FROM r; -- error 42804
WITH RECURSIVE r(n, m) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT * FROM r; -- error 42P10
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1, n FROM r) SELECT * FROM r; -- error 42601
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE nosuch < 3) SELECT * FROM r; -- error 42703
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SEARCH DEPTH FIRST BY n SET ord SELECT * FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) CYCLE n SET is_cycle USING path SELECT * FROM r;
DROP TABLE edges;
DROP TABLE emp;
