-- DDL: tables, columns, defaults, ALTER, DROP, schemas, views, sequences and their errors.
CREATE TABLE t_basic (id int, name text);
CREATE TABLE t_basic (id int); -- error 42P07
CREATE TABLE IF NOT EXISTS t_basic (id int);
CREATE TABLE t_types (a smallint, b integer, c bigint, d numeric(10, 2), e real,
  f double precision, g boolean, h varchar(20), i char(5), j text, k date, l timestamp,
  m timestamptz, n interval, o bytea);
INSERT INTO t_types VALUES (1, 2, 3, 4.5, 6.5, 7.25, true, 'v', 'c', 't', '2024-01-02',
  '2024-01-02 03:04:05', '2024-01-02 03:04:05+00', '1 day', '\x0102');
SELECT * FROM t_types;
CREATE TABLE t_defaults (id int DEFAULT 7, label text DEFAULT 'none', flag boolean DEFAULT false);
INSERT INTO t_defaults DEFAULT VALUES;
INSERT INTO t_defaults (label) VALUES ('x');
SELECT id, label, flag FROM t_defaults ORDER BY label;
ALTER TABLE t_basic ADD COLUMN score int DEFAULT 0;
INSERT INTO t_basic (id, name) VALUES (1, 'one');
SELECT id, name, score FROM t_basic;
ALTER TABLE t_basic ADD COLUMN score int; -- error 42701
ALTER TABLE t_basic DROP COLUMN score;
SELECT * FROM t_basic;
ALTER TABLE t_basic DROP COLUMN nosuch; -- error 42703
ALTER TABLE t_basic RENAME COLUMN name TO title;
SELECT title FROM t_basic;
ALTER TABLE t_basic RENAME TO t_renamed;
SELECT * FROM t_basic; -- error 42P01
SELECT id, title FROM t_renamed;
ALTER TABLE t_renamed ALTER COLUMN title SET NOT NULL;
INSERT INTO t_renamed VALUES (2, NULL); -- error 23502
ALTER TABLE t_renamed ALTER COLUMN title DROP NOT NULL;
INSERT INTO t_renamed VALUES (2, NULL);
ALTER TABLE t_renamed ALTER COLUMN id TYPE bigint;
SELECT id, title FROM t_renamed ORDER BY id;
CREATE SCHEMA s1;
CREATE TABLE s1.inner_t (x int PRIMARY KEY);
INSERT INTO s1.inner_t VALUES (10), (20);
SELECT x FROM s1.inner_t ORDER BY x;
SELECT x FROM inner_t; -- error 42P01
CREATE VIEW v_names AS SELECT id, title FROM t_renamed WHERE title IS NOT NULL;
SELECT * FROM v_names;
CREATE SEQUENCE seq_a START 5 INCREMENT 5;
SELECT nextval('seq_a');
SELECT nextval('seq_a');
SELECT currval('seq_a');
CREATE TABLE t_serial (id serial PRIMARY KEY, v text);
INSERT INTO t_serial (v) VALUES ('a'), ('b');
SELECT id, v FROM t_serial ORDER BY id;
CREATE TABLE t_identity (id int GENERATED ALWAYS AS IDENTITY, v text);
INSERT INTO t_identity (v) VALUES ('p'), ('q');
INSERT INTO t_identity (id, v) VALUES (9, 'r'); -- error 428C9
SELECT id, v FROM t_identity ORDER BY id;
CREATE TABLE t_bad (id int, id text); -- error 42701
CREATE TABLE t_badtype (x nosuchtype); -- error 42704
DROP VIEW v_names;
DROP TABLE t_nosuch; -- error 42P01
DROP TABLE IF EXISTS t_nosuch;
DROP TABLE t_types, t_defaults, t_renamed, t_serial, t_identity;
DROP SEQUENCE seq_a;
DROP SCHEMA s1; -- error 2BP01
DROP SCHEMA s1 CASCADE;
