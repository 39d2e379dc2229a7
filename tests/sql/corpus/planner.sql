-- Plans the estimates choose: index nested loops (inner and left, NULL keys, duplicates,
-- multi-column and cross-type keys, old versions in the index), ORDER BY served by an index
-- (ASC/DESC columns, NULLS FIRST/LAST, equality-fixed columns, LIMIT/OFFSET), and ANALYZE.
CREATE TABLE cust (id int PRIMARY KEY, region int, name text);
CREATE TABLE ord (id int PRIMARY KEY, cust_id int, amount numeric(10, 2), note text);
CREATE INDEX ord_cust ON ord (cust_id);
INSERT INTO cust SELECT g, g % 7, 'c' || g FROM generate_series(1, 400) g;
INSERT INTO ord SELECT g, CASE WHEN g % 50 = 0 THEN NULL ELSE g % 450 END, g * 1.25, 'n' || g
  FROM generate_series(1, 2000) g;
ANALYZE cust;
ANALYZE ord;
SELECT relname, reltuples FROM pg_class WHERE relname IN ('cust', 'ord') ORDER BY relname;
SELECT o.id, c.name FROM ord o JOIN cust c ON c.id = o.cust_id WHERE o.id IN (1, 2, 3, 50, 399, 1999) ORDER BY o.id;
SELECT o.id, c.name FROM ord o LEFT JOIN cust c ON c.id = o.cust_id WHERE o.id BETWEEN 395 AND 405 ORDER BY o.id;
SELECT c.id, count(o.id), sum(o.amount) FROM cust c JOIN ord o ON o.cust_id = c.id WHERE c.id IN (5, 17, 399)
  GROUP BY c.id ORDER BY c.id;
SELECT c.id, o.id FROM cust c LEFT JOIN ord o ON o.cust_id = c.id AND o.amount > 1000 WHERE c.id < 4 ORDER BY c.id, o.id;
SELECT count(*) FROM ord o JOIN cust c ON c.id = o.cust_id;
SELECT count(*) FROM ord o LEFT JOIN cust c ON c.id = o.cust_id WHERE c.id IS NULL;
SELECT c.id, o.id FROM cust c JOIN ord o ON o.cust_id = c.id + 0 WHERE c.id = 3 ORDER BY o.id;
SELECT c.id, o.id FROM cust c JOIN ord o ON o.cust_id::int8 = c.id::int8 WHERE c.id = 4 ORDER BY o.id;
SELECT c.name, o.note FROM cust c JOIN ord o ON o.cust_id = c.id AND o.note LIKE 'n1%' WHERE c.region = 3 AND c.id < 20
  ORDER BY 1, 2;
UPDATE ord SET cust_id = 11 WHERE id = 6;
DELETE FROM ord WHERE id = 7;
SELECT c.id, o.id FROM cust c JOIN ord o ON o.cust_id = c.id WHERE c.id IN (6, 7, 11) ORDER BY 1, 2;
UPDATE ord o SET note = 'seen' FROM cust c WHERE c.id = o.cust_id AND c.id = 9;
SELECT id, note FROM ord WHERE cust_id = 9 ORDER BY id;
SELECT id FROM cust ORDER BY id LIMIT 5;
SELECT id FROM cust ORDER BY id LIMIT 3 OFFSET 397;
SELECT id FROM cust WHERE id > 390 ORDER BY id;
SELECT id, name FROM cust WHERE id >= 100 AND name LIKE 'c1%' ORDER BY id LIMIT 4;
SELECT name FROM cust ORDER BY id DESC LIMIT 3;
CREATE TABLE ev (k int, t int, v text);
CREATE INDEX ev_k_t ON ev (k, t DESC NULLS LAST);
INSERT INTO ev SELECT g % 5, CASE WHEN g % 11 = 0 THEN NULL ELSE g END, 'v' || g FROM generate_series(1, 300) g;
SELECT t FROM ev WHERE k = 2 ORDER BY t DESC NULLS LAST LIMIT 5;
SELECT t FROM ev WHERE k = 2 ORDER BY k, t DESC NULLS LAST LIMIT 5;
SELECT t FROM ev WHERE k = 3 ORDER BY t DESC LIMIT 3;
SELECT k, t FROM ev ORDER BY k, t DESC NULLS LAST LIMIT 4;
SELECT k, t FROM ev WHERE k = 0 AND t < 50 ORDER BY t DESC NULLS LAST LIMIT 4;
SELECT count(*) FROM (SELECT t FROM ev WHERE k = 1 ORDER BY t DESC NULLS LAST LIMIT 1000) s;
SELECT e1.t, e2.v FROM ev e1 JOIN ev e2 ON e2.k = e1.k AND e2.t = e1.t WHERE e1.t IN (12, 13, 55) ORDER BY 1;
ANALYZE ev (k, t);
ANALYZE ev (nosuch); -- error 42703
VACUUM ANALYZE ev;
SELECT relname, reltuples FROM pg_class WHERE relname = 'ev';
VACUUM (ANALYZE) ord;
BEGIN;
ANALYZE cust;
SELECT relname, reltuples FROM pg_class WHERE relname = 'cust';
COMMIT;
BEGIN;
VACUUM cust; -- error 25001
ROLLBACK;
SELECT t FROM ev WHERE k = 2 ORDER BY t ASC NULLS FIRST LIMIT 5;
SELECT k, t FROM ev ORDER BY k DESC, t NULLS FIRST LIMIT 6;
SELECT k, t FROM ev WHERE k = 4 AND t > 250 ORDER BY t NULLS FIRST;
SELECT id, name FROM cust WHERE id < 300 ORDER BY id DESC LIMIT 3 OFFSET 2;
SELECT id FROM cust WHERE id BETWEEN 10 AND 14 ORDER BY id DESC;
DELETE FROM cust WHERE id > 395;
SELECT id FROM cust ORDER BY id DESC LIMIT 2;
SELECT o.id, c.id FROM ord o LEFT JOIN cust c ON c.id = o.cust_id WHERE o.id IN (396, 397, 2) ORDER BY o.id DESC;
SELECT id, name FROM cust WHERE id IN (5, 3, 5, NULL, 999, 1) ORDER BY id;
SELECT id FROM cust WHERE id IN (7, 2, 300) ORDER BY id DESC LIMIT 2;
SELECT id FROM cust WHERE id = ANY (ARRAY[9, 4, 4, 12]) ORDER BY id;
SELECT id FROM cust WHERE id = ANY ('{}'::int[]);
SELECT id FROM cust WHERE id = ANY (NULL::int[]);
SELECT id FROM cust WHERE id IN (2::int8, 3::int2, 4) ORDER BY 1;
SELECT count(*) FROM cust WHERE id NOT IN (1, 2, 3);
SELECT k, t FROM ev WHERE k IN (1, 3) AND t > 280 ORDER BY k, t DESC NULLS LAST;
UPDATE cust SET name = name || '!' WHERE id IN (10, 20, 10, 30) RETURNING id, name;
DELETE FROM ord WHERE id = ANY (ARRAY[1, 2, 3]) RETURNING id;
SELECT o.id, c.name FROM ord o JOIN cust c ON c.id = o.cust_id WHERE o.id IN (10, 20, 30) ORDER BY o.id;
CREATE TABLE region (id int PRIMARY KEY, rname text);
INSERT INTO region SELECT g, 'r' || g FROM generate_series(0, 6) g;
SELECT r.rname, c.id, o.id FROM ord o, cust c, region r WHERE o.cust_id = c.id AND c.region = r.id AND r.rname = 'r2'
  AND o.id < 120 ORDER BY 2, 3;
SELECT count(*), sum(o.amount) FROM ord o JOIN cust c ON c.id = o.cust_id JOIN region r ON r.id = c.region WHERE r.id IN (1, 5);
SELECT r.rname, count(*) FROM region r JOIN cust c ON c.region = r.id JOIN ord o ON o.cust_id = c.id AND o.amount < 100
  GROUP BY r.rname ORDER BY 1;
SELECT c.id, r.rname, o.id FROM ord o JOIN (cust c LEFT JOIN region r ON r.id = c.region AND r.id > 3) ON c.id = o.cust_id
  WHERE o.id BETWEEN 40 AND 47 ORDER BY 1, 3;
SELECT count(*) FROM region r1 CROSS JOIN region r2 JOIN cust c ON c.region = r1.id WHERE r2.id = c.id % 7 AND c.id < 50;
SELECT count(*) FROM cust c JOIN region r ON true WHERE c.id < 3;
SELECT count(*) FROM cust c JOIN region r ON false;
SELECT count(*) FROM cust c JOIN region r ON c.region = r.id AND 1 = 2;
SELECT c.id, (SELECT count(*) FROM ord o2 WHERE o2.cust_id = c.id) FROM cust c JOIN region r ON r.id = c.region
  WHERE r.rname = 'r4' AND c.id < 30 ORDER BY 1;
SELECT c.id FROM cust c JOIN region r ON r.id = c.region AND EXISTS (SELECT 1 FROM ord o WHERE o.cust_id = c.id AND o.id < 40)
  ORDER BY 1;
SELECT * FROM region r JOIN cust c ON c.id = r.id JOIN ord o ON o.id = c.id ORDER BY r.id;
UPDATE cust c SET name = 'R' || r.rname FROM region r, ord o WHERE r.id = c.region AND o.cust_id = c.id AND o.id = 77
  RETURNING c.id, c.name;
