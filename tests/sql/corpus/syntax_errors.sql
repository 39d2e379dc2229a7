-- Syntax errors and statements the parser rejects: SQLSTATE 42601 and PostgreSQL's messages.
SELEC 1; -- error 42601
SELECT 1 +; -- error 42601
SELECT * FROM; -- error 42601
SELECT (1; -- error 42601
SELECT 1); -- error 42601
SELECT 'a' 'b'; -- error 42601
SELECT FROM WHERE; -- error 42601
INSERT INTO; -- error 42601
INSERT INTO t VALUES; -- error 42601
UPDATE SET x = 1; -- error 42601
DELETE t; -- error 42601
CREATE TABLE (a int); -- error 42601
CREATE TABLE t (a int,); -- error 42601
CREATE TABLE t (a); -- error 42601
DROP; -- error 42601
SELECT 1 2; -- error 42601
SELECT select; -- error 42601
SELECT a FROM t GROUP BY; -- error 42601
SELECT * FROM t ORDER; -- error 42601
SELECT * FROM t LIMIT; -- error 42601
SELECT CASE WHEN true THEN 1; -- error 42601
SELECT 1::; -- error 42601
SELECT $1; -- error 42P02
SELECT 1 FROM (VALUES (1) v; -- error 42601
BEGIN TRANSACTION ISOLATION LEVEL SOMETIMES; -- error 42601
SELECT 1 from; -- error 42601
SELECT 1 AS "from";
SELECT "" FROM t; -- error 42601
WITH SELECT 1; -- error 42601
SELECT 1 UNION; -- error 42601
SELECT ALL DISTINCT 1; -- error 42601
CREATE INDEX ON; -- error 42601
ALTER TABLE t ADD; -- error 42601
SELECT 1 -- a trailing comment is fine
;
/* a block comment */ SELECT 2;
SELECT 3 /* nested /* comment */ still */;
SELECT 'ok';
