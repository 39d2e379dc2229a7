-- Subqueries: scalar, IN, EXISTS, ANY/ALL, correlated, in FROM, in SELECT list, errors.
CREATE TABLE sq_a (id int, v int);
CREATE TABLE sq_b (id int, a_id int, w int);
INSERT INTO sq_a VALUES (1, 10), (2, 20), (3, 30), (4, NULL);
INSERT INTO sq_b VALUES (1, 1, 5), (2, 1, 6), (3, 2, 7), (4, 9, 8);
SELECT (SELECT max(v) FROM sq_a);
SELECT id FROM sq_a WHERE v > (SELECT avg(v) FROM sq_a);
SELECT id FROM sq_a WHERE id IN (SELECT a_id FROM sq_b);
SELECT id FROM sq_a WHERE id NOT IN (SELECT a_id FROM sq_b);
SELECT id FROM sq_a WHERE EXISTS (SELECT 1 FROM sq_b WHERE sq_b.a_id = sq_a.id);
SELECT id FROM sq_a WHERE NOT EXISTS (SELECT 1 FROM sq_b WHERE sq_b.a_id = sq_a.id);
SELECT id FROM sq_a WHERE v > ANY (SELECT w * 3 FROM sq_b);
SELECT id FROM sq_a WHERE v > ALL (SELECT w * 3 FROM sq_b);
SELECT id FROM sq_a WHERE v = ANY (ARRAY[10, 30]);
SELECT id, (SELECT count(*) FROM sq_b WHERE sq_b.a_id = sq_a.id) AS n FROM sq_a;
SELECT id, (SELECT sum(w) FROM sq_b WHERE sq_b.a_id = sq_a.id) AS s FROM sq_a;
SELECT s.id, s.v2 FROM (SELECT id, v * 2 AS v2 FROM sq_a WHERE v IS NOT NULL) AS s;
SELECT t.a_id, t.c FROM (SELECT a_id, count(*) AS c FROM sq_b GROUP BY a_id) t WHERE t.c > 1;
SELECT id FROM sq_a WHERE id IN (SELECT a_id FROM sq_b WHERE w > 100);
SELECT (SELECT v FROM sq_a WHERE id = 99);
SELECT id FROM sq_a a WHERE v = (SELECT max(v) FROM sq_a b WHERE b.id <= a.id);
SELECT id FROM sq_a WHERE (id, v) IN (SELECT id, v FROM sq_a WHERE id < 3);
SELECT id FROM sq_b WHERE a_id IN (SELECT id FROM sq_a WHERE v >= 20) AND w < 10;
SELECT (SELECT v FROM sq_a); -- error 21000
SELECT id FROM sq_a WHERE id = (SELECT a_id FROM sq_b); -- error 21000
SELECT (SELECT id, v FROM sq_a WHERE id = 1); -- error 42601
SELECT * FROM (SELECT 1); -- error 42601
SELECT id FROM sq_a WHERE id IN (SELECT id, v FROM sq_a); -- error 42601
DROP TABLE sq_a, sq_b;
