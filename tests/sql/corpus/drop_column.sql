-- ALTER TABLE DROP COLUMN: rows keep working, indexes and checks on it go, names and * skip it, re-adding a name.
CREATE TABLE dc (id serial PRIMARY KEY, a int CHECK (a > 0), b text, c int);
CREATE INDEX dc_b ON dc (b);
CREATE INDEX dc_bc ON dc (b, c);
INSERT INTO dc (a, b, c) VALUES (1, 'x', 10), (2, 'y', 20);
ALTER TABLE dc DROP COLUMN b;
SELECT * FROM dc ORDER BY id;
SELECT b FROM dc; -- error 42703
INSERT INTO dc VALUES (DEFAULT, 3, 30);
INSERT INTO dc (a, c) VALUES (4, 40) RETURNING *;
UPDATE dc SET c = c + 1 WHERE a = 1 RETURNING dc.*;
ALTER TABLE dc DROP COLUMN a;
INSERT INTO dc (c) VALUES (-5);
ALTER TABLE dc ADD COLUMN b text DEFAULT 'new';
SELECT * FROM dc ORDER BY id;
SELECT x.* FROM dc AS x(i, cc) ORDER BY i;
ALTER TABLE dc DROP COLUMN nosuch; -- error 42703
ALTER TABLE dc DROP COLUMN IF EXISTS nosuch;
ALTER TABLE dc DROP COLUMN id;
SELECT * FROM dc ORDER BY c;
INSERT INTO dc VALUES (7, 'seven');
SELECT c, b FROM dc ORDER BY c;
SELECT relname FROM pg_class WHERE relname LIKE 'dc%' ORDER BY relname;
COPY dc TO STDOUT;
DROP TABLE dc;
