-- Integer literals that libpg_query's JSON leaves without a value (zero, negative, negated in parentheses).
SELECT -(1), -(-(2)), - 3, -(  4 ), 0, -0, 7 - -(2);
SELECT -2147483648, -(2147483647), -9223372036854775808;
CREATE SEQUENCE sneg INCREMENT BY -1 MINVALUE -10 MAXVALUE -1 START WITH -2;
SELECT nextval('sneg'), nextval('sneg'), nextval('sneg');
CREATE SEQUENCE szero START 0 MINVALUE 0;
SELECT nextval('szero'), nextval('szero');
CREATE TABLE lit (a int DEFAULT -(5), b int CHECK (b > -(3)));
INSERT INTO lit (b) VALUES (-2);
INSERT INTO lit (b) VALUES (-(3)); -- error 23514
SELECT a, b FROM lit;
SELECT a FROM lit WHERE b = -(2) AND a < -(4);
SELECT 1 LIMIT 0;
SELECT x FROM generate_series(-3, -1) x ORDER BY x;
SET statement_timeout = 0;
SHOW statement_timeout;
SET statement_timeout = -1; -- error 22023
SET statement_timeout = 1000;
SHOW statement_timeout;
RESET statement_timeout;
DROP TABLE lit;
DROP SEQUENCE sneg, szero;
SET LOCAL statement_timeout = '2s';
SHOW statement_timeout;
BEGIN;
SET statement_timeout = '3s';
SET LOCAL statement_timeout = '4s';
SHOW statement_timeout;
COMMIT;
SHOW statement_timeout;
BEGIN;
SET statement_timeout = '7s';
ROLLBACK;
SHOW statement_timeout;
BEGIN;
SET statement_timeout = '8s';
SELECT 1 / 0; -- error 22012
ROLLBACK;
SHOW statement_timeout;
RESET statement_timeout;
