-- Roles: CREATE/ALTER/DROP ROLE and USER, their attributes as pg_roles shows them, and the errors.
CREATE ROLE sq_reader;
CREATE USER sq_app WITH PASSWORD 'secret' CREATEDB;
CREATE ROLE sq_admin LOGIN CREATEROLE NOINHERIT VALID UNTIL 'infinity';
CREATE ROLE sq_reader; -- error 42710
CREATE ROLE pg_sq; -- error 42939
CREATE ROLE public; -- error 42939
SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls, rolconnlimit, rolvaliduntil, rolpassword FROM pg_roles WHERE rolname LIKE 'sq\_%' ORDER BY 1;
SELECT usename, usecreatedb, usesuper FROM pg_user WHERE usename LIKE 'sq\_%' ORDER BY 1;
ALTER ROLE sq_reader LOGIN PASSWORD 'x' VALID UNTIL '2030-01-01 00:00:00+00';
ALTER USER sq_app NOCREATEDB PASSWORD NULL;
ALTER ROLE sq_nosuch LOGIN; -- error 42704
SELECT rolname, rolcanlogin, rolcreatedb, rolpassword, rolvaliduntil FROM pg_roles WHERE rolname LIKE 'sq\_%' ORDER BY 1;
ALTER ROLE sq_reader RENAME TO sq_reader2;
ALTER ROLE sq_nosuch RENAME TO sq_x; -- error 42704
ALTER ROLE sq_app RENAME TO sq_admin; -- error 42710
SELECT rolname FROM pg_roles WHERE rolname LIKE 'sq\_%' ORDER BY 1;
BEGIN;
CREATE ROLE sq_temp;
SELECT count(*) FROM pg_roles WHERE rolname = 'sq_temp';
ROLLBACK;
SELECT count(*) FROM pg_roles WHERE rolname = 'sq_temp';
SELECT 'sq_app'::regrole, 'sq_app'::regrole::oid = (SELECT oid FROM pg_roles WHERE rolname = 'sq_app');
SELECT 'sq_nosuch'::regrole; -- error 42704
SELECT pg_get_userbyid((SELECT oid FROM pg_roles WHERE rolname = 'sq_admin'));
DROP ROLE sq_nosuch; -- error 42704
DROP ROLE IF EXISTS sq_nosuch, sq_reader2;
DROP ROLE sq_app, sq_admin;
DROP ROLE postgres; -- error 55006
SELECT rolname FROM pg_roles WHERE rolname LIKE 'sq\_%' ORDER BY 1;
