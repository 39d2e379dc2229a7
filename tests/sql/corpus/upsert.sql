-- INSERT ... ON CONFLICT: DO NOTHING and DO UPDATE, arbiters by columns and by constraint name, EXCLUDED, WHERE, errors.
CREATE TABLE kv (k int PRIMARY KEY, v text, n int DEFAULT 0, tag text UNIQUE);
INSERT INTO kv VALUES (1, 'a', 1, 't1'), (2, 'b', 1, 't2');
INSERT INTO kv VALUES (1, 'x', 5, 't9') ON CONFLICT DO NOTHING;
INSERT INTO kv VALUES (3, 'c', 1, 't1') ON CONFLICT DO NOTHING RETURNING k;
INSERT INTO kv VALUES (3, 'c', 1, 't3') ON CONFLICT (k) DO NOTHING RETURNING k, v;
INSERT INTO kv VALUES (3, 'c', 1, 't3'), (4, 'd', 1, 't4'), (4, 'e', 1, 't5') ON CONFLICT DO NOTHING;
SELECT k, v, n, tag FROM kv ORDER BY k;
INSERT INTO kv VALUES (1, 'new', 10, 't1') ON CONFLICT (k) DO UPDATE SET v = excluded.v, n = kv.n + excluded.n RETURNING *;
INSERT INTO kv AS t VALUES (2, 'skip', 1, 't2') ON CONFLICT (k) DO UPDATE SET v = excluded.v WHERE t.n > 5 RETURNING t.k;
INSERT INTO kv VALUES (2, 'by-name', 1, 't2') ON CONFLICT ON CONSTRAINT kv_pkey DO UPDATE SET n = kv.n + 100;
INSERT INTO kv VALUES (9, 'by-tag', 1, 't4') ON CONFLICT (tag) DO UPDATE SET v = excluded.v || '!' RETURNING k, v, tag;
INSERT INTO kv VALUES (5, 'e', 1, NULL), (6, 'f', 1, NULL) ON CONFLICT (tag) DO NOTHING;
INSERT INTO kv (k, v) VALUES (5, 'default n') ON CONFLICT (k) DO UPDATE SET n = DEFAULT, v = excluded.v;
SELECT k, v, n, tag FROM kv ORDER BY k;
INSERT INTO kv VALUES (7, 'g'), (7, 'h') ON CONFLICT (k) DO UPDATE SET v = excluded.v; -- error 21000
INSERT INTO kv VALUES (1, 'z') ON CONFLICT (v) DO NOTHING; -- error 42P10
INSERT INTO kv VALUES (1, 'z') ON CONFLICT DO UPDATE SET v = 'z'; -- error 42601
INSERT INTO kv VALUES (1, 'z') ON CONFLICT ON CONSTRAINT nosuch DO NOTHING; -- error 42704
INSERT INTO kv VALUES (1, 'z') ON CONFLICT (nosuch) DO NOTHING; -- error 42703
INSERT INTO kv VALUES (1, 'z', 0, 't2') ON CONFLICT (k) DO UPDATE SET tag = excluded.tag; -- error 23505
INSERT INTO kv VALUES (8, 'z', 0, 't1') ON CONFLICT (k) DO NOTHING; -- error 23505
CREATE TABLE pair (a int, b int, c int, UNIQUE (a, b));
INSERT INTO pair VALUES (1, 1, 0), (1, 2, 0);
INSERT INTO pair VALUES (1, 2, 5), (2, 1, 5) ON CONFLICT (b, a) DO UPDATE SET c = pair.c + excluded.c;
INSERT INTO pair SELECT 1, g, 1 FROM generate_series(1, 3) g ON CONFLICT (a, b) DO UPDATE SET c = pair.c + 10;
SELECT a, b, c FROM pair ORDER BY a, b;
DROP TABLE kv, pair;
