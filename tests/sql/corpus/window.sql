-- Window functions: row_number, rank, dense_rank, lag/lead, running sums, frames, partitions.
CREATE TABLE scores (id int PRIMARY KEY, team text, pts int);
INSERT INTO scores VALUES (1, 'red', 10), (2, 'red', 30), (3, 'red', 30), (4, 'blue', 5),
  (5, 'blue', 15), (6, 'green', 7);
SELECT id, row_number() OVER (ORDER BY id) FROM scores ORDER BY id;
SELECT id, team, rank() OVER (PARTITION BY team ORDER BY pts DESC) FROM scores ORDER BY id;
SELECT id, dense_rank() OVER (ORDER BY pts DESC) FROM scores ORDER BY id;
SELECT id, sum(pts) OVER (ORDER BY id) FROM scores ORDER BY id;
SELECT id, sum(pts) OVER (PARTITION BY team) FROM scores ORDER BY id;
SELECT id, avg(pts) OVER (PARTITION BY team ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)::numeric(8, 2)
  FROM scores ORDER BY id;
SELECT id, lag(pts) OVER (ORDER BY id), lead(pts, 2, -1) OVER (ORDER BY id) FROM scores ORDER BY id;
SELECT id, first_value(id) OVER w, last_value(id) OVER w FROM scores
  WINDOW w AS (PARTITION BY team ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
  ORDER BY id;
SELECT id, count(*) OVER () FROM scores ORDER BY id;
SELECT id, ntile(3) OVER (ORDER BY id), percent_rank() OVER (ORDER BY pts) FROM scores ORDER BY id;
SELECT team, pts, sum(pts) OVER (ORDER BY pts RANGE BETWEEN 5 PRECEDING AND 5 FOLLOWING) FROM scores ORDER BY pts, team, id;
SELECT * FROM (SELECT id, row_number() OVER (PARTITION BY team ORDER BY pts DESC, id) AS rn FROM scores) s
  WHERE rn = 1 ORDER BY id;
SELECT id FROM scores WHERE row_number() OVER (ORDER BY id) = 1; -- error 42P20
SELECT id, rank() FROM scores; -- error 42809
SELECT id, sum(pts) OVER nosuch FROM scores; -- error 42704
DROP TABLE scores;
-- More window functions: NULLs, ties and peers, every function, frames, named windows, errors.
CREATE TABLE wf_w (id int PRIMARY KEY, g text, v int, n numeric, f float8);
INSERT INTO wf_w VALUES (1, 'a', 10, 1.5, 0.5), (2, 'a', 10, NULL, 1.5), (3, 'a', 20, 2.25, NULL),
  (4, 'a', NULL, 3, 2), (5, 'b', 5, 4, 3), (6, 'b', 5, 4, 3), (7, 'b', 7, NULL, NULL),
  (8, NULL, 1, 1, 1), (9, NULL, NULL, NULL, NULL), (10, 'c', 100, 10, 10);
SELECT id, g, v, row_number() OVER (PARTITION BY g ORDER BY v, id), rank() OVER (PARTITION BY g ORDER BY v),
  dense_rank() OVER (PARTITION BY g ORDER BY v) FROM wf_w ORDER BY id;
SELECT id, v, rank() OVER (ORDER BY v DESC), rank() OVER (ORDER BY v NULLS FIRST),
  dense_rank() OVER (ORDER BY v DESC NULLS LAST) FROM wf_w ORDER BY id;
SELECT id, g, percent_rank() OVER (PARTITION BY g ORDER BY v), cume_dist() OVER (PARTITION BY g ORDER BY v)
  FROM wf_w ORDER BY id;
SELECT id, percent_rank() OVER (), cume_dist() OVER (), rank() OVER (), dense_rank() OVER () FROM wf_w ORDER BY id;
SELECT id, ntile(1) OVER (ORDER BY id), ntile(4) OVER (ORDER BY id), ntile(20) OVER (ORDER BY id),
  ntile(3) OVER (PARTITION BY g ORDER BY id) FROM wf_w ORDER BY id;
SELECT id, ntile(NULL::int) OVER (ORDER BY id) FROM wf_w ORDER BY id;
SELECT id, ntile(0) OVER (ORDER BY id) FROM wf_w; -- error 22014
SELECT id, lag(v) OVER w1, lead(v) OVER w1, lag(v, 2) OVER w1, lead(v, 3) OVER w1, lag(v, 0) OVER w1,
  lag(v, -1) OVER w1 FROM wf_w WINDOW w1 AS (ORDER BY id) ORDER BY id;
SELECT id, lag(v, 1, 0) OVER (PARTITION BY g ORDER BY id), lead(n, 1, 9.5) OVER (PARTITION BY g ORDER BY id),
  lag(g, 1, 'none') OVER (ORDER BY id), lag(v, NULL::int, 1) OVER (ORDER BY id) FROM wf_w ORDER BY id;
SELECT id, lag(v, 1, 1.5) OVER (ORDER BY id), lead(f, 2, 0) OVER (ORDER BY id) FROM wf_w ORDER BY id;
SELECT id, first_value(v) OVER (PARTITION BY g ORDER BY id), last_value(v) OVER (PARTITION BY g ORDER BY id),
  nth_value(v, 2) OVER (PARTITION BY g ORDER BY id) FROM wf_w ORDER BY id;
SELECT id, first_value(id) OVER (ORDER BY v), last_value(id) OVER (ORDER BY v), nth_value(id, 3) OVER (ORDER BY v)
  FROM wf_w ORDER BY id;
SELECT id, nth_value(v, 2) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING),
  last_value(v) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND 2 FOLLOWING) FROM wf_w ORDER BY id;
SELECT id, nth_value(v, 0) OVER (ORDER BY id) FROM wf_w; -- error 22016
SELECT id, count(*) OVER (PARTITION BY g), count(v) OVER (PARTITION BY g), sum(v) OVER (PARTITION BY g),
  avg(v) OVER (PARTITION BY g), min(v) OVER (PARTITION BY g), max(v) OVER (PARTITION BY g) FROM wf_w ORDER BY id;
SELECT id, sum(v) OVER (ORDER BY v), count(*) OVER (ORDER BY v), avg(n) OVER (ORDER BY v),
  max(f) OVER (ORDER BY v) FROM wf_w ORDER BY id;
SELECT id, sum(n) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING),
  min(v) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND 1 PRECEDING),
  max(v) OVER (ORDER BY id ROWS BETWEEN 1 FOLLOWING AND 3 FOLLOWING),
  count(*) OVER (ORDER BY id ROWS 2 PRECEDING) FROM wf_w ORDER BY id;
SELECT id, sum(v) OVER (ORDER BY v ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
  sum(v) OVER (ORDER BY v RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING),
  sum(v) OVER (ORDER BY v RANGE UNBOUNDED PRECEDING),
  sum(v) OVER (ORDER BY v RANGE BETWEEN CURRENT ROW AND CURRENT ROW) FROM wf_w ORDER BY id;
SELECT id, sum(f) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING),
  avg(f) OVER (ORDER BY id ROWS BETWEEN 5 FOLLOWING AND 2 FOLLOWING) FROM wf_w ORDER BY id;
SELECT id, count(*) OVER (ORDER BY v GROUPS BETWEEN 1 PRECEDING AND 1 FOLLOWING),
  sum(v) OVER (ORDER BY v GROUPS BETWEEN CURRENT ROW AND 1 FOLLOWING) FROM wf_w ORDER BY id;
SELECT id, sum(v) OVER (ORDER BY id ROWS BETWEEN -1 PRECEDING AND CURRENT ROW) FROM wf_w; -- error 22013
SELECT id, sum(v) OVER (ORDER BY id ROWS BETWEEN NULL PRECEDING AND CURRENT ROW) FROM wf_w; -- error 22004
SELECT id, count(*) FILTER (WHERE v > 5) OVER (ORDER BY id), sum(v) FILTER (WHERE g = 'a') OVER () FROM wf_w ORDER BY id;
SELECT g, count(*), sum(count(*)) OVER (), rank() OVER (ORDER BY count(*) DESC, g),
  sum(sum(v)) OVER (ORDER BY g) FROM wf_w GROUP BY g ORDER BY g;
SELECT g, max(v), row_number() OVER (ORDER BY max(v) DESC NULLS LAST) FROM wf_w GROUP BY g HAVING count(*) > 1 ORDER BY g;
SELECT id, row_number() OVER (ORDER BY id DESC) * 2 AS twice, 100 - rank() OVER (ORDER BY v) FROM wf_w ORDER BY id;
SELECT id, v FROM wf_w ORDER BY row_number() OVER (ORDER BY v DESC, id), id;
SELECT id, v, sum(v) OVER w1, count(*) OVER w2, row_number() OVER (w1 ORDER BY id)
  FROM wf_w WINDOW w1 AS (PARTITION BY g), w2 AS (w1 ORDER BY v) ORDER BY id;
SELECT id, sum(v) OVER (w2 ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM wf_w
  WINDOW w1 AS (PARTITION BY g), w2 AS (w1 ORDER BY id) ORDER BY id;
SELECT DISTINCT g, count(*) OVER (PARTITION BY g) FROM wf_w ORDER BY g;
SELECT g, rn FROM (SELECT g, row_number() OVER (PARTITION BY g ORDER BY id DESC) AS rn FROM wf_w) s
  WHERE rn <= 2 ORDER BY g, rn;
SELECT id, (SELECT max(x) FROM (SELECT row_number() OVER () AS x FROM wf_w w2 WHERE w2.g = wf_w.g) s) FROM wf_w ORDER BY id;
SELECT id, row_number() OVER (), count(*) OVER () FROM wf_w WHERE id > 100;
SELECT count(*) OVER () FROM wf_w GROUP BY g HAVING false;
SELECT sum(v) OVER (), count(*) OVER () FROM wf_w WHERE g = 'zzz';
SELECT row_number() OVER (ORDER BY 1), rank() OVER (PARTITION BY 1) FROM (VALUES (1), (2)) t(x);
SELECT x, lag(x) OVER (ORDER BY x), sum(x) OVER (ORDER BY x) FROM generate_series(1, 5) x ORDER BY x;
SELECT id, row_number() OVER (ORDER BY v) FROM wf_w ORDER BY id LIMIT 3;
SELECT string_agg(g, ',') OVER (ORDER BY id), array_agg(v) OVER (ORDER BY id ROWS 1 PRECEDING),
  bool_and(v > 5) OVER (PARTITION BY g) FROM wf_w ORDER BY id;
SELECT id, sum(v) OVER (PARTITION BY g ORDER BY id) - v FROM wf_w ORDER BY id;
SELECT id, first_value(v) OVER (ORDER BY id ROWS BETWEEN 1 FOLLOWING AND 1 FOLLOWING), last_value(g) OVER ()
  FROM wf_w ORDER BY id;
SELECT id FROM wf_w GROUP BY id, row_number() OVER (); -- error 42P20
SELECT g FROM wf_w GROUP BY g HAVING rank() OVER () > 1; -- error 42P20
SELECT sum(row_number() OVER ()) FROM wf_w; -- error 42803
SELECT row_number() OVER (ORDER BY rank() OVER ()) FROM wf_w; -- error 42P20
SELECT sum(rank() OVER ()) OVER () FROM wf_w; -- error 42P20
SELECT lower(g) OVER () FROM wf_w; -- error 42809
SELECT row_number(id) OVER () FROM wf_w; -- error 42883
SELECT count(DISTINCT v) OVER () FROM wf_w; -- error 0A000
SELECT rank() OVER w1 FROM wf_w WINDOW w1 AS (ORDER BY v), w1 AS (ORDER BY id); -- error 42P20
SELECT rank() OVER (w1 PARTITION BY g) FROM wf_w WINDOW w1 AS (ORDER BY v); -- error 42P20
SELECT rank() OVER (w1 ORDER BY id) FROM wf_w WINDOW w1 AS (ORDER BY v); -- error 42P20
SELECT rank() OVER (w1) FROM wf_w WINDOW w1 AS (ORDER BY v ROWS UNBOUNDED PRECEDING); -- error 42P20
SELECT rank() OVER (w9 ORDER BY v) FROM wf_w; -- error 42704
SELECT sum(v) OVER (GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM wf_w; -- error 42P20
SELECT sum(v) OVER (ORDER BY v, id RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) FROM wf_w; -- error 42P20
SELECT sum(v) OVER (PARTITION BY g) FROM wf_w GROUP BY g; -- error 42803
SELECT id, row_number() OVER () FROM wf_w FOR UPDATE; -- error 0A000
SELECT ntile(2) FROM wf_w; -- error 42809
UPDATE wf_w SET v = row_number() OVER (); -- error 42P20
DROP TABLE wf_w;
-- RANGE frames with an offset: integer, numeric and float keys, both directions, NULL keys.
CREATE TABLE wf_r (id int PRIMARY KEY, k int, x numeric, y float8);
INSERT INTO wf_r VALUES (1, 1, 1.5, 0.25), (2, 2, 2.5, 0.5), (3, 2, NULL, 1), (4, 5, 3, NULL), (5, 9, 10, 4),
  (6, NULL, 0, 8), (7, NULL, -1, -2), (8, 10, 10.25, 4.5);
SELECT id, k, sum(id) OVER (ORDER BY k RANGE BETWEEN 1 PRECEDING AND 1 FOLLOWING),
  count(*) OVER (ORDER BY k RANGE BETWEEN 3 PRECEDING AND CURRENT ROW),
  max(id) OVER (ORDER BY k RANGE BETWEEN CURRENT ROW AND 4 FOLLOWING) FROM wf_r ORDER BY id;
SELECT id, k, sum(id) OVER (ORDER BY k DESC RANGE BETWEEN 1 PRECEDING AND 1 FOLLOWING),
  count(*) OVER (ORDER BY k NULLS FIRST RANGE BETWEEN UNBOUNDED PRECEDING AND 2 FOLLOWING),
  count(*) OVER (ORDER BY k DESC NULLS LAST RANGE BETWEEN 3 PRECEDING AND UNBOUNDED FOLLOWING) FROM wf_r ORDER BY id;
SELECT id, x, sum(x) OVER (ORDER BY x RANGE BETWEEN 1.5 PRECEDING AND 0.5 FOLLOWING),
  first_value(id) OVER (ORDER BY x RANGE BETWEEN 1 FOLLOWING AND 8 FOLLOWING) FROM wf_r ORDER BY id;
SELECT id, y, count(*) OVER (ORDER BY y RANGE BETWEEN 0.5 PRECEDING AND 0.5 FOLLOWING),
  last_value(id) OVER (ORDER BY y DESC RANGE BETWEEN 2 PRECEDING AND 1 PRECEDING) FROM wf_r ORDER BY id;
SELECT id, sum(k) OVER (PARTITION BY k > 4 ORDER BY k RANGE 2 PRECEDING) FROM wf_r ORDER BY id;
SELECT id, sum(k) OVER (ORDER BY k RANGE BETWEEN -1 PRECEDING AND CURRENT ROW) FROM wf_r; -- error 22013
SELECT id, sum(k) OVER (ORDER BY k RANGE BETWEEN NULL PRECEDING AND CURRENT ROW) FROM wf_r; -- error 22004
DROP TABLE wf_r;
-- Frame exclusion.
CREATE TABLE wf_e (id int PRIMARY KEY, k int);
INSERT INTO wf_e VALUES (1, 1), (2, 1), (3, 2), (4, 3), (5, 3), (6, 3), (7, NULL);
SELECT id, k, sum(id) OVER (ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING EXCLUDE CURRENT ROW),
  sum(id) OVER (ORDER BY k RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW EXCLUDE GROUP),
  sum(id) OVER (ORDER BY k GROUPS BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE TIES),
  count(*) OVER (ORDER BY k ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE NO OTHERS) FROM wf_e ORDER BY id;
SELECT id, first_value(id) OVER w1, last_value(id) OVER w1, nth_value(id, 2) OVER w1 FROM wf_e
  WINDOW w1 AS (ORDER BY k, id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE CURRENT ROW) ORDER BY id;
SELECT id, first_value(id) OVER w1, last_value(id) OVER w1, nth_value(id, 2) OVER w1, count(*) OVER w1 FROM wf_e
  WINDOW w1 AS (ORDER BY k RANGE BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE TIES) ORDER BY id;
SELECT id, sum(id) OVER (ORDER BY k RANGE UNBOUNDED PRECEDING EXCLUDE GROUP),
  rank() OVER (ORDER BY k ROWS CURRENT ROW EXCLUDE CURRENT ROW) FROM wf_e ORDER BY id;
DROP TABLE wf_e;
-- RANGE offsets on date, timestamp, timestamptz and interval keys; unsupported offset types.
CREATE TABLE wf_ev (id int PRIMARY KEY, d date, ts timestamp, tz timestamptz, iv interval, t text);
INSERT INTO wf_ev VALUES (1, '2024-01-01', '2024-01-01 10:00', '2024-01-01 10:00+00', '1 hour', 'a'),
  (2, '2024-01-03', '2024-01-01 11:30', '2024-01-01 11:30+00', '90 minutes', 'b'),
  (3, '2024-01-10', '2024-01-02 09:00', '2024-01-02 09:00+00', '1 day', 'c'),
  (4, '2024-02-01', '2024-01-02 09:00', '2024-01-02 09:00+00', '1 mon', 'd'),
  (5, NULL, NULL, NULL, NULL, 'e');
SELECT id, count(*) OVER (ORDER BY d RANGE BETWEEN '7 days' PRECEDING AND CURRENT ROW),
  sum(id) OVER (ORDER BY d DESC RANGE BETWEEN interval '1 month' PRECEDING AND '2 days' FOLLOWING) FROM wf_ev ORDER BY id;
SELECT id, count(*) OVER (ORDER BY ts RANGE BETWEEN '2 hours' PRECEDING AND '1 day' FOLLOWING),
  array_agg(id) OVER (ORDER BY tz RANGE BETWEEN CURRENT ROW AND '1 day' FOLLOWING) FROM wf_ev ORDER BY id;
SELECT id, max(id) OVER (ORDER BY iv RANGE BETWEEN '1 hour' PRECEDING AND '30 days' FOLLOWING) FROM wf_ev ORDER BY id;
SELECT id, sum(id) OVER (ORDER BY id RANGE 1.5 PRECEDING) FROM wf_ev; -- error 0A000
SELECT id, sum(id) OVER (ORDER BY t RANGE 1 PRECEDING) FROM wf_ev; -- error 0A000
SELECT id, sum(id) OVER (ORDER BY d RANGE 1 PRECEDING) FROM wf_ev; -- error 0A000
SELECT id, sum(id) OVER (ORDER BY d RANGE '-1 day' PRECEDING) FROM wf_ev; -- error 22013
DROP TABLE wf_ev;
-- Window functions in CTEs, UNION inputs, CASE, INSERT ... SELECT; unused WINDOW entries; frame and offset errors.
CREATE TABLE wf_w (id int PRIMARY KEY, g text, v int, f4 float4, iv interval);
INSERT INTO wf_w VALUES (1, 'a', 10, 1.5, '1 day'), (2, 'a', 10, NULL, '2 hours'), (3, 'a', 20, 2.5, NULL),
  (4, 'a', NULL, 3, '1 mon'), (5, 'b', 5, 4, '1 day'), (6, 'b', 5, 4, NULL), (7, 'b', 7, NULL, NULL),
  (8, NULL, 1, 1, '3 days'), (9, NULL, NULL, NULL, NULL), (10, 'c', 100, 10, '1 year');
WITH x AS (SELECT id, rank() OVER (ORDER BY v) r FROM wf_w) SELECT * FROM x WHERE r < 3 ORDER BY id;
SELECT id, row_number() OVER (ORDER BY id) FROM (SELECT id FROM wf_w UNION ALL SELECT id + 100 FROM wf_w) u ORDER BY id;
SELECT id, CASE WHEN row_number() OVER (ORDER BY id) > 2 THEN 'x' ELSE 'y' END FROM wf_w ORDER BY id;
SELECT v, count(*) OVER (PARTITION BY v) FROM wf_w ORDER BY 2 DESC, 1;
SELECT id, lag(id) OVER w1 FROM wf_w WINDOW w1 AS () ORDER BY id;
SELECT id, sum(id) OVER (w1) FROM wf_w WINDOW w1 AS (ORDER BY id) ORDER BY id;
SELECT 1 FROM wf_w WINDOW a AS (b); -- error 42704
SELECT 1 FROM wf_w WINDOW a AS (ORDER BY nosuch); -- error 42703
SELECT count(*) OVER (), count(*) FROM wf_w;
SELECT first_value(v) OVER (ORDER BY id ROWS UNBOUNDED FOLLOWING) FROM wf_w; -- error 42P20
SELECT first_value(v) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND 1 PRECEDING) FROM wf_w; -- error 42P20
SELECT first_value(v) OVER (ORDER BY id ROWS BETWEEN 1 FOLLOWING AND CURRENT ROW) FROM wf_w; -- error 42P20
SELECT DISTINCT g, rank() OVER (ORDER BY g) FROM wf_w ORDER BY id; -- error 42P10
SELECT id, sum(v) OVER (PARTITION BY g ORDER BY id) FROM wf_w WHERE v IS NOT NULL ORDER BY 2 DESC, 1 LIMIT 3;
SELECT id, sum((SELECT count(*) FROM wf_w)) OVER (ORDER BY id) FROM wf_w ORDER BY id;
SELECT id, ntile(2) OVER (ORDER BY id), ntile(v) OVER (PARTITION BY g ORDER BY id) FROM wf_w ORDER BY id;
SELECT id, lag(id, id % 3) OVER (ORDER BY id), lead(id, id % 4, -id) OVER (ORDER BY id) FROM wf_w ORDER BY id;
SELECT id, percent_rank() OVER (PARTITION BY id), cume_dist() OVER (PARTITION BY id ORDER BY v) FROM wf_w ORDER BY id;
SELECT row_number() OVER () FROM wf_w WHERE id < 3 UNION SELECT 1.5 ORDER BY 1;
SELECT id, avg(f4) OVER (ORDER BY id), sum(f4) OVER (ORDER BY id), sum(iv) OVER (ORDER BY id), avg(iv) OVER () FROM wf_w ORDER BY id;
SELECT id, count(*) OVER () FROM wf_w ORDER BY id LIMIT 2 OFFSET 3;
SELECT id, sum(id) OVER W1 FROM wf_w WINDOW W1 AS (ORDER BY id DESC) ORDER BY id;
SELECT g, lag(g) OVER (ORDER BY g NULLS FIRST) FROM wf_w GROUP BY g ORDER BY g;
SELECT row_number() OVER (PARTITION BY g ORDER BY v) AS rn, g, v FROM wf_w ORDER BY g, v, rn;
SELECT sum(v) OVER (ORDER BY v) FROM wf_w GROUP BY v ORDER BY 1;
SELECT id, nth_value(g, 2) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND 2 FOLLOWING), last_value(id) OVER (ORDER BY v ROWS BETWEEN CURRENT ROW AND CURRENT ROW) FROM wf_w ORDER BY id;
SELECT id, rank() OVER (ORDER BY v) FROM wf_w ORDER BY rank() OVER (ORDER BY v), id;
SELECT id, lag(v, 1, 'x') OVER (ORDER BY id) FROM wf_w; -- error 22P02
SELECT id, lag(v, 2::bigint) OVER (ORDER BY id) FROM wf_w; -- error 42883
SELECT id, lag(v, 1, 'x'::text) OVER (ORDER BY id) FROM wf_w; -- error 42883
SELECT id, sum(v) OVER (ORDER BY id ROWS BETWEEN 'x' PRECEDING AND CURRENT ROW) FROM wf_w; -- error 22P02
SELECT id, sum(v) OVER (ORDER BY id ROWS BETWEEN 1.5 PRECEDING AND CURRENT ROW) FROM wf_w;
SELECT id, sum(v) OVER (ORDER BY id ROWS BETWEEN id PRECEDING AND CURRENT ROW) FROM wf_w; -- error 42P10
SELECT id, sum(v) OVER (ORDER BY id ROWS BETWEEN (SELECT 1) PRECEDING AND CURRENT ROW) FROM wf_w ORDER BY id;
SELECT rank(*) OVER () FROM wf_w;
SELECT count(*) FILTER (WHERE row_number() OVER () > 1) FROM wf_w; -- error 42P20
SELECT row_number() OVER (ORDER BY sum(v)) FROM wf_w;
SELECT row_number() OVER (PARTITION BY g ORDER BY sum(v)), g FROM wf_w GROUP BY g ORDER BY g;
SELECT * FROM wf_w WHERE id IN (SELECT row_number() OVER () FROM wf_w) ORDER BY id;
SELECT id FROM wf_w ORDER BY sum(v) OVER (PARTITION BY g), id;
INSERT INTO wf_w SELECT id + 20, g, row_number() OVER (ORDER BY id) FROM wf_w WHERE id < 3;
SELECT id, v FROM wf_w WHERE id > 20 ORDER BY id;
SELECT max(rn) FROM (SELECT row_number() OVER () rn FROM generate_series(1, 1000)) s;
SELECT string_agg(g, ',') OVER (PARTITION BY g) FROM wf_w ORDER BY 1;
SELECT g, v, sum(v) OVER (PARTITION BY g ORDER BY v RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM wf_w ORDER BY g, v;
DROP TABLE wf_w;
