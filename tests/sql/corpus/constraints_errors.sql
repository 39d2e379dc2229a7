-- Constraints: PRIMARY KEY, UNIQUE, NOT NULL, CHECK, FOREIGN KEY (actions), and their errors.
CREATE TABLE parent (id int PRIMARY KEY, code text UNIQUE, n int CHECK (n >= 0));
CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent (id) ON DELETE CASCADE,
  note text NOT NULL DEFAULT '');
INSERT INTO parent VALUES (1, 'a', 1), (2, 'b', 2), (3, NULL, 3), (4, NULL, 4);
INSERT INTO parent VALUES (1, 'z', 0); -- error 23505
INSERT INTO parent VALUES (5, 'a', 0); -- error 23505
INSERT INTO parent VALUES (6, 'c', -1); -- error 23514
INSERT INTO parent VALUES (NULL, 'd', 0); -- error 23502
UPDATE parent SET n = -5 WHERE id = 1; -- error 23514
UPDATE parent SET code = 'b' WHERE id = 1; -- error 23505
INSERT INTO child VALUES (10, 1, 'x'), (11, 1, 'y'), (12, 2, 'z');
INSERT INTO child VALUES (13, 99, 'orphan'); -- error 23503
INSERT INTO child (id, parent_id) VALUES (14, NULL);
INSERT INTO child VALUES (15, 2, NULL); -- error 23502
UPDATE child SET parent_id = 42 WHERE id = 10; -- error 23503
DELETE FROM parent WHERE id = 1;
SELECT id, parent_id FROM child ORDER BY id;
CREATE TABLE strict_child (id int PRIMARY KEY, parent_id int REFERENCES parent (id));
INSERT INTO strict_child VALUES (1, 2);
DELETE FROM parent WHERE id = 2; -- error 23503
UPDATE parent SET id = 20 WHERE id = 2; -- error 23503
CREATE TABLE null_child (id int, parent_id int REFERENCES parent (id) ON DELETE SET NULL);
INSERT INTO null_child VALUES (1, 3);
DELETE FROM parent WHERE id = 3;
SELECT id, parent_id FROM null_child;
CREATE TABLE multi (a int, b int, c int, PRIMARY KEY (a, b), CONSTRAINT c_pos CHECK (c > 0));
INSERT INTO multi VALUES (1, 1, 1), (1, 2, 1);
INSERT INTO multi VALUES (1, 1, 5); -- error 23505
INSERT INTO multi VALUES (2, 2, 0); -- error 23514
ALTER TABLE multi ADD CONSTRAINT c_small CHECK (c < 10);
INSERT INTO multi VALUES (3, 3, 11); -- error 23514
ALTER TABLE multi ADD CONSTRAINT c_never CHECK (c > 5); -- error 23514
ALTER TABLE multi DROP CONSTRAINT c_small;
INSERT INTO multi VALUES (3, 3, 11);
CREATE TABLE u2 (a int, b int, UNIQUE (a, b));
INSERT INTO u2 VALUES (1, NULL), (1, NULL), (1, 2);
INSERT INTO u2 VALUES (1, 2); -- error 23505
SELECT count(*) FROM u2;
CREATE TABLE u3 (a int UNIQUE NULLS NOT DISTINCT);
INSERT INTO u3 VALUES (NULL);
INSERT INTO u3 VALUES (NULL); -- error 23505
ALTER TABLE u2 ADD PRIMARY KEY (a); -- error 23505
CREATE TABLE two_pk (a int PRIMARY KEY, b int PRIMARY KEY); -- error 42P16
CREATE TABLE bad_fk (x int REFERENCES nosuch (id)); -- error 42P01
DROP TABLE parent; -- error 2BP01
DROP TABLE child, strict_child, null_child, parent, multi, u2, u3;
