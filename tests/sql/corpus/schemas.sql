-- CREATE / DROP SCHEMA: qualified names, RESTRICT and CASCADE, IF EXISTS, errors.
CREATE SCHEMA app;
CREATE TABLE app.users (id int PRIMARY KEY, name text);
CREATE SEQUENCE app.ids;
INSERT INTO app.users VALUES (1, 'ann');
SELECT id, name FROM app.users;
DROP SCHEMA app; -- error 2BP01
DROP SCHEMA app RESTRICT; -- error 2BP01
CREATE SCHEMA app; -- error 42P06
DROP SCHEMA app CASCADE;
SELECT * FROM app.users; -- error 42P01
DROP SCHEMA app; -- error 3F000
DROP SCHEMA IF EXISTS app;
CREATE SCHEMA empty1;
CREATE SCHEMA empty2;
DROP SCHEMA empty1, empty2;
CREATE SCHEMA s3;
CREATE TABLE s3.t (x serial);
DROP SCHEMA s3 CASCADE;
DROP SCHEMA pg_catalog; -- error 2BP01
BEGIN;
CREATE SCHEMA tx;
CREATE TABLE tx.t (a int);
DROP SCHEMA tx CASCADE;
ROLLBACK;
SELECT count(*) FROM pg_namespace WHERE nspname IN ('app', 'empty1', 'empty2', 's3', 'tx');
