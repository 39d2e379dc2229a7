-- Views: CREATE [OR REPLACE] VIEW with PostgreSQL's rules for what may change, column aliases,
-- views over views, views in joins and subqueries, `*` fixed at creation, dependencies
-- (2BP01 unless CASCADE), renames, DROP VIEW [IF EXISTS], catalog rows, transactional DDL, and
-- the errors for what is not built (updatable views, temporary views, CHECK OPTION).
CREATE TABLE vt (a int PRIMARY KEY, b text, c numeric(6,2));
INSERT INTO vt VALUES (1, 'one', 1.50), (2, 'two', 2.25), (3, NULL, 3.00), (4, 'four', NULL);
CREATE TABLE vu (a int, tag text);
INSERT INTO vu VALUES (1, 'x'), (2, 'y'), (2, 'z'), (9, 'w');
CREATE VIEW v1 AS SELECT a, b FROM vt WHERE a > 1;
SELECT * FROM v1 ORDER BY a;
SELECT b FROM v1 WHERE a = 2;
SELECT count(*) FROM v1;
CREATE VIEW v1 AS SELECT a FROM vt; -- error 42P07
CREATE VIEW vt AS SELECT 1; -- error 42P07
CREATE OR REPLACE VIEW v1 AS SELECT a FROM vt; -- error 42P16
CREATE OR REPLACE VIEW v1 AS SELECT b, a FROM vt; -- error 42P16
CREATE OR REPLACE VIEW v1 AS SELECT a::bigint AS a, b FROM vt; -- error 42P16
CREATE OR REPLACE VIEW v1 AS SELECT a, b AS bb FROM vt; -- error 42P16
CREATE OR REPLACE VIEW v1 AS SELECT a, b, c FROM vt WHERE a < 4;
SELECT * FROM v1 ORDER BY a;
CREATE OR REPLACE VIEW vt AS SELECT 1 AS a; -- error 42809
-- column aliases
CREATE VIEW v2(x, y) AS SELECT a, b FROM vt;
SELECT x, y FROM v2 ORDER BY x;
SELECT a FROM v2; -- error 42703
CREATE VIEW v3(x, y, z) AS SELECT a, b FROM vt; -- error 42601
CREATE VIEW v3(x) AS SELECT a, b FROM vt;
SELECT * FROM v3 ORDER BY x;
CREATE VIEW v4 AS SELECT a, a FROM vt; -- error 42701
CREATE VIEW v4 AS SELECT 1 AS n, 'x' AS s, 1.5 AS f, NULL::int AS z;
SELECT n, s, pg_typeof(s), f, z FROM v4;
CREATE VIEW v5 AS SELECT 1;
SELECT * FROM v5;
CREATE VIEW vp AS SELECT $1; -- error 42P02
CREATE VIEW vbad AS SELECT nosuch FROM vt; -- error 42703
CREATE VIEW vbad AS SELECT * FROM nosuch; -- error 42P01
-- views over views, joins, subqueries, aggregates, set operations
CREATE VIEW vj AS SELECT vt.a, vt.b, vu.tag FROM vt JOIN vu ON vu.a = vt.a;
SELECT * FROM vj ORDER BY a, tag;
CREATE VIEW vagg AS SELECT a, count(*) AS n FROM vu GROUP BY a;
SELECT * FROM vagg ORDER BY a;
CREATE VIEW vv AS SELECT v2.x, vagg.n FROM v2 LEFT JOIN vagg ON vagg.a = v2.x;
SELECT * FROM vv ORDER BY x;
SELECT v.x, v.n, t.c FROM vv v JOIN vt t ON t.a = v.x WHERE v.n IS NOT NULL ORDER BY v.x;
SELECT * FROM vt WHERE a IN (SELECT x FROM v2 WHERE y LIKE 't%') ORDER BY a;
SELECT a, (SELECT n FROM vagg WHERE vagg.a = vt.a) FROM vt ORDER BY a;
SELECT * FROM (SELECT x * 10 AS ten FROM v2) s ORDER BY ten;
WITH w AS (SELECT * FROM v1) SELECT count(*) FROM w;
SELECT q.p, q.r FROM v2 AS q(p, r) WHERE q.p < 3 ORDER BY 1;
SELECT * FROM v2 AS q(p, r, s); -- error 42P10
SELECT * FROM v1, v1; -- error 42712
CREATE VIEW vset AS SELECT a FROM vt UNION SELECT a FROM vu;
SELECT * FROM vset ORDER BY a;
CREATE VIEW vdist AS SELECT DISTINCT a FROM vu ORDER BY a DESC LIMIT 2;
SELECT * FROM vdist;
CREATE VIEW vrec AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 4) SELECT n FROM r;
SELECT sum(n) FROM vrec;
CREATE RECURSIVE VIEW vrec2(n) AS SELECT 1 UNION ALL SELECT n + 1 FROM vrec2 WHERE n < 5;
SELECT * FROM vrec2;
CREATE VIEW vwin AS SELECT a, row_number() OVER (ORDER BY a DESC) AS rn FROM vt;
SELECT * FROM vwin ORDER BY a;
-- * is expanded when the view is created
CREATE VIEW vstar AS SELECT * FROM vt;
ALTER TABLE vt ADD COLUMN d int DEFAULT 7;
SELECT * FROM vstar ORDER BY a;
SELECT * FROM vt ORDER BY a;
CREATE VIEW vstar2 AS SELECT s.*, 1 AS one FROM (SELECT * FROM vu) s;
ALTER TABLE vu ADD COLUMN extra int;
SELECT * FROM vstar2 ORDER BY a, tag;
-- dependencies
DROP TABLE vt; -- error 2BP01
DROP TABLE vu RESTRICT; -- error 2BP01
DROP VIEW v2; -- error 2BP01
ALTER TABLE vt DROP COLUMN b; -- error 2BP01
ALTER TABLE vt DROP COLUMN d;
ALTER TABLE vu DROP COLUMN extra;
DROP TABLE v1; -- error 42809
DROP VIEW vt; -- error 42809
DROP VIEW nosuch; -- error 42P01
DROP VIEW IF EXISTS nosuch;
DROP VIEW IF EXISTS nosuch, v5;
SELECT * FROM v5; -- error 42P01
DROP VIEW v2 CASCADE;
SELECT * FROM vv; -- error 42P01
SELECT relname FROM pg_class WHERE relname IN ('v2', 'vv', 'v1') ORDER BY 1;
DROP VIEW vstar2, vset;
-- renames
ALTER VIEW v1 RENAME TO v1r;
SELECT * FROM v1r ORDER BY a;
SELECT * FROM v1; -- error 42P01
ALTER TABLE v1r RENAME TO v1;
ALTER VIEW v1 RENAME COLUMN b TO bee;
SELECT a, bee FROM v1 ORDER BY a;
ALTER VIEW v1 RENAME COLUMN nosuch TO x; -- error 42703
ALTER VIEW v1 RENAME TO vt; -- error 42P07
ALTER VIEW IF EXISTS nosuch RENAME TO x;
CREATE INDEX ON v1 (a); -- error 42809
TRUNCATE v1; -- error 42809
-- catalog
SELECT relname, relkind::text, relnatts, relhasindex FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'v' ORDER BY relname;
SELECT attname, atttypid::regtype, attnum FROM pg_attribute WHERE attrelid = 'v1'::regclass ORDER BY attnum;
SELECT 'v1'::regclass, 'public.vagg'::regclass::text;
SELECT schemaname, viewname, viewowner FROM pg_views WHERE schemaname = 'public' ORDER BY viewname;
SELECT c.relname, n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'v' AND n.nspname = 'public' ORDER BY 1;
-- transactional DDL
BEGIN;
CREATE VIEW vtx AS SELECT a FROM vt;
SELECT count(*) FROM vtx;
ROLLBACK;
SELECT * FROM vtx; -- error 42P01
BEGIN;
DROP VIEW vagg;
ROLLBACK;
SELECT count(*) FROM vagg;
-- schemas
CREATE SCHEMA vs;
CREATE VIEW vs.sv AS SELECT a, tag FROM vu WHERE a < 5;
SELECT * FROM vs.sv ORDER BY a, tag;
SELECT * FROM sv; -- error 42P01
CREATE VIEW vs2 AS SELECT count(*) AS n FROM vs.sv;
DROP SCHEMA vs; -- error 2BP01
DROP SCHEMA vs CASCADE;
SELECT * FROM vs2; -- error 42P01
DROP VIEW v1, v3, v4, vj, vagg, vdist, vrec, vrec2, vwin, vstar;
-- not built, each an honest 0A000 where PostgreSQL succeeds: INSERT/UPDATE/DELETE through
-- (automatically updatable) views, temporary views, WITH CHECK OPTION, materialized views,
-- pg_get_viewdef, FOR UPDATE through a view
CREATE TABLE vd (k int, v text);
INSERT INTO vd VALUES (1, 'a'), (2, 'b');
CREATE VIEW vdv AS SELECT k, v FROM vd;
INSERT INTO vdv VALUES (3, 'c');
UPDATE vdv SET v = 'z' WHERE k = 1;
DELETE FROM vdv WHERE k = 2;
SELECT pg_get_viewdef('vdv'::regclass);
SELECT pg_get_viewdef('vdv'::regclass, true);
SELECT * FROM vdv ORDER BY k FOR UPDATE;
CREATE TEMP VIEW vtemp AS SELECT 1;
CREATE VIEW vchk AS SELECT k FROM vd WITH CHECK OPTION;
CREATE MATERIALIZED VIEW vmat AS SELECT 1;
DROP TABLE vd CASCADE;
DROP TABLE vt CASCADE;
DROP TABLE vu;
-- renaming what a view reads: tables and views by oid, columns refused
CREATE TABLE rt (a int, b text);
INSERT INTO rt VALUES (1, 'p'), (2, 'q');
CREATE VIEW rv1 AS SELECT rt.a, b FROM rt WHERE rt.a > 0;
CREATE VIEW rv2 AS SELECT a FROM rv1;
ALTER TABLE rt RENAME TO rt2;
SELECT * FROM rv1 ORDER BY a;
ALTER VIEW rv1 RENAME TO rv1b;
SELECT * FROM rv2 ORDER BY a;
SELECT pg_get_viewdef('rv1b'::regclass);
ALTER TABLE rt2 RENAME COLUMN b TO bb;
DROP TABLE rt2 CASCADE;
-- view definitions: PostgreSQL's pg_get_viewdef text for simple views, plain and pretty;
-- pg_views and information_schema.views read it
CREATE TABLE dt (a int, b text, c bigint);
CREATE TABLE du (a int, d int);
CREATE VIEW d1 AS SELECT a, b FROM dt WHERE a > 1;
CREATE VIEW d2 AS SELECT a AS x, b FROM dt WHERE a > 1 AND b IS NOT NULL AND c <> 3 ORDER BY a DESC, b LIMIT 5;
CREATE VIEW d3 AS SELECT dt.a, du.d FROM dt, du WHERE dt.a = du.a;
CREATE VIEW d4 AS SELECT x.a, x.b FROM dt x WHERE x.b = 'q' AND x.c IS NULL;
CREATE VIEW d5 AS SELECT * FROM dt;
CREATE VIEW d6(p, q) AS SELECT DISTINCT a, c FROM dt;
SELECT pg_get_viewdef('d1'::regclass);
SELECT pg_get_viewdef('d1'::regclass, true);
SELECT pg_get_viewdef('d2'::regclass);
SELECT pg_get_viewdef('d2'::regclass, true);
SELECT pg_get_viewdef('d3'::regclass), pg_get_viewdef('d3'::regclass, true);
SELECT pg_get_viewdef('d4'::regclass), pg_get_viewdef('d4'::regclass, true);
SELECT pg_get_viewdef('d5'::regclass), pg_get_viewdef('d6'::regclass);
SELECT pg_get_viewdef('d1');
SELECT viewname, definition FROM pg_views WHERE schemaname = 'public' ORDER BY viewname;
SELECT table_name, view_definition, check_option, is_updatable, is_insertable_into, is_trigger_updatable
  FROM information_schema.views WHERE table_schema = 'public' ORDER BY table_name;
CREATE VIEW d7 AS SELECT a + 1 AS a1 FROM dt;
SELECT pg_get_viewdef('d7'::regclass);
SELECT viewname FROM pg_views WHERE schemaname = 'public' ORDER BY viewname;
SELECT table_name FROM information_schema.views WHERE table_schema = 'public';
DROP TABLE dt, du CASCADE;
