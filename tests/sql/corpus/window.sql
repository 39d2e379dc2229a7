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
