-- READ ONLY transactions: BEGIN READ ONLY, SET TRANSACTION, default_transaction_read_only; what they refuse.
CREATE TABLE ro (id int PRIMARY KEY, v text);
CREATE SEQUENCE ro_seq;
INSERT INTO ro VALUES (1, 'a');
BEGIN READ ONLY;
SHOW transaction_read_only;
SELECT id, v FROM ro;
INSERT INTO ro VALUES (2, 'b'); -- error 25006
ROLLBACK;
START TRANSACTION READ ONLY;
UPDATE ro SET v = 'x'; -- error 25006
ROLLBACK;
BEGIN;
SET TRANSACTION READ ONLY;
DELETE FROM ro; -- error 25006
ROLLBACK;
BEGIN;
SET TRANSACTION READ ONLY;
SELECT nextval('ro_seq'); -- error 25006
ROLLBACK;
BEGIN;
SET TRANSACTION READ ONLY;
SELECT id FROM ro FOR UPDATE; -- error 25006
ROLLBACK;
BEGIN READ ONLY;
SELECT 1;
SET TRANSACTION READ WRITE; -- error 25001
ROLLBACK;
BEGIN READ ONLY;
CREATE TABLE ro2 (x int); -- error 25006
ROLLBACK;
SET default_transaction_read_only = on;
SHOW transaction_read_only;
SELECT count(*) FROM ro;
INSERT INTO ro VALUES (3, 'c'); -- error 25006
BEGIN READ WRITE;
INSERT INTO ro VALUES (3, 'c');
COMMIT;
SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE;
SHOW default_transaction_read_only;
INSERT INTO ro VALUES (4, 'd');
SET transaction_read_only = on;
SHOW transaction_read_only;
INSERT INTO ro VALUES (5, 'e');
SELECT id FROM ro ORDER BY id;
DROP TABLE ro;
DROP SEQUENCE ro_seq;
BEGIN READ ONLY;
SET LOCAL statement_timeout = '5s';
SET TRANSACTION ISOLATION LEVEL REPEATABLE READ;
SHOW transaction_read_only;
SHOW transaction_isolation;
SHOW statement_timeout;
COMMIT;
SHOW statement_timeout;
