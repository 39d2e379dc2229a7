-- Aggregates: count/sum/avg/min/max, GROUP BY, HAVING, DISTINCT aggregates, FILTER, string_agg.
CREATE TABLE sales (id int, region text, product text, amount numeric(10, 2), units int);
INSERT INTO sales VALUES (1, 'north', 'tea', 10.00, 1), (2, 'north', 'coffee', 25.50, 3),
  (3, 'south', 'tea', 7.25, 2), (4, 'south', 'tea', 7.25, NULL), (5, 'east', 'juice', 3.00, 5),
  (6, 'north', 'tea', 12.00, 2), (7, NULL, 'coffee', 30.00, 1);
SELECT count(*), count(units), count(region), count(DISTINCT region) FROM sales;
SELECT sum(amount), avg(amount), min(amount), max(amount) FROM sales;
SELECT sum(units), avg(units), min(product), max(product) FROM sales;
SELECT region, count(*), sum(amount) FROM sales GROUP BY region;
SELECT region, product, sum(units) FROM sales GROUP BY region, product;
SELECT region, sum(amount) FROM sales GROUP BY region HAVING sum(amount) > 15;
SELECT region FROM sales GROUP BY region HAVING count(*) = 1;
SELECT product, avg(amount)::numeric(10, 3) FROM sales GROUP BY product ORDER BY product;
SELECT count(*) FILTER (WHERE units > 1), sum(amount) FILTER (WHERE region = 'north') FROM sales;
SELECT sum(DISTINCT amount), count(DISTINCT product) FROM sales;
SELECT string_agg(product, ',' ORDER BY id) FROM sales;
SELECT region, string_agg(DISTINCT product, '/' ORDER BY product) FROM sales GROUP BY region;
SELECT array_agg(id ORDER BY id DESC) FROM sales WHERE region = 'north';
SELECT bool_and(units > 0), bool_or(units > 4), every(amount > 1) FROM sales;
SELECT count(*), sum(units), avg(amount), max(id) FROM sales WHERE id > 100;
SELECT region, count(*) FROM sales WHERE id > 100 GROUP BY region;
SELECT 1 FROM sales HAVING count(*) > 3;
SELECT units % 2 AS parity, count(*) FROM sales GROUP BY units % 2;
SELECT region AS r, count(*) FROM sales GROUP BY r;
SELECT region, count(*) FROM sales GROUP BY 1;
SELECT stddev_samp(units)::numeric(10, 4), var_pop(units)::numeric(10, 4) FROM sales;
SELECT sum(x) FROM (VALUES (2147483647), (1)) AS v(x);
SELECT sum(x), avg(x) FROM (VALUES (1.5::float8), (2.5::float8)) AS v(x);
SELECT max(d), min(d) FROM (VALUES ('2024-01-01'::date), ('2023-12-31'::date)) AS v(d);
SELECT region, sum(amount) FROM sales GROUP BY ROLLUP (region);
SELECT region, product, count(*) FROM sales GROUP BY GROUPING SETS ((region), (product));
SELECT region, product FROM sales GROUP BY region; -- error 42803
SELECT sum(amount) FROM sales WHERE sum(amount) > 1; -- error 42803
SELECT sum(product) FROM sales; -- error 42883
SELECT count(*) FROM sales GROUP BY 9; -- error 42P10
SELECT avg(sum(amount)) FROM sales; -- error 42803
DROP TABLE sales;
