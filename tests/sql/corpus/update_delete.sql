-- UPDATE and DELETE: WHERE, expressions, several columns, FROM/USING, RETURNING, errors.
CREATE TABLE acc (id int PRIMARY KEY, owner text, balance int NOT NULL, active boolean DEFAULT true);
INSERT INTO acc VALUES (1, 'ann', 100, true), (2, 'bob', 50, true), (3, 'cid', 0, false),
  (4, 'dag', 75, true), (5, 'eva', 10, false);
UPDATE acc SET balance = balance + 10 WHERE id = 1;
UPDATE acc SET balance = balance - 5 WHERE active;
UPDATE acc SET owner = upper(owner), active = NOT active WHERE balance < 20;
SELECT id, owner, balance, active FROM acc ORDER BY id;
UPDATE acc SET balance = 0 WHERE id = 99;
UPDATE acc SET balance = balance * 2 RETURNING id, balance;
UPDATE acc SET (owner, balance) = ('zed', 1) WHERE id = 5 RETURNING *;
UPDATE acc SET balance = DEFAULT WHERE id = 1; -- error 23502
UPDATE acc SET balance = NULL WHERE id = 2; -- error 23502
UPDATE acc SET id = 2 WHERE id = 1; -- error 23505
UPDATE acc SET nosuch = 1; -- error 42703
UPDATE acc SET balance = 'lots' WHERE id = 1; -- error 22P02
UPDATE acc SET balance = balance / 0 WHERE id = 1; -- error 22012
SELECT id, balance FROM acc ORDER BY id;
CREATE TABLE bonus (acc_id int, amount int);
INSERT INTO bonus VALUES (1, 7), (4, 3);
UPDATE acc SET balance = acc.balance + b.amount FROM bonus b WHERE b.acc_id = acc.id;
SELECT id, balance FROM acc ORDER BY id;
UPDATE acc a SET balance = a.balance - 1 WHERE a.id IN (SELECT acc_id FROM bonus) RETURNING a.id;
DELETE FROM acc WHERE id = 3;
DELETE FROM acc WHERE id = 3;
DELETE FROM acc WHERE balance > 1000;
DELETE FROM acc WHERE owner = 'zed' RETURNING id, owner;
DELETE FROM acc USING bonus WHERE bonus.acc_id = acc.id AND bonus.amount > 5 RETURNING acc.id;
SELECT id, owner, balance FROM acc ORDER BY id;
DELETE FROM acc WHERE nosuch = 1; -- error 42703
DELETE FROM acc;
SELECT count(*) FROM acc;
INSERT INTO acc VALUES (1, 'new', 1);
TRUNCATE acc;
SELECT count(*) FROM acc;
DROP TABLE acc, bonus;
