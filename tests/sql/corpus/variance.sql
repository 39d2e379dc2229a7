-- variance, var_samp, var_pop, stddev, stddev_samp, stddev_pop over integers, numeric (exact
-- sums, PostgreSQL's result scales) and floats (PostgreSQL's Youngs-Cramer sums), with NULLs,
-- single rows, NaN, GROUP BY, windows and the errors.
CREATE TABLE vs (g int, i int, b bigint, n numeric, f float8, r real, s smallint);
INSERT INTO vs VALUES (1, 1, 10, 1.5, 1.5, 1.5, 1), (1, 2, 20, 2.25, 2.25, 2.25, 2), (1, 4, 40, 3.125, 3.125, 3.125, 4), (2, 7, 70, 0.1, 0.1, 0.1, 7), (2, NULL, NULL, NULL, NULL, NULL, NULL), (3, 5, 50, 5, 5, 5, 5);
SELECT variance(i), var_samp(i), var_pop(i), stddev(i), stddev_samp(i), stddev_pop(i) FROM vs;
SELECT variance(b), var_pop(b), stddev(b), stddev_pop(b) FROM vs;
SELECT variance(n), var_pop(n), stddev(n), stddev_pop(n) FROM vs;
SELECT variance(f), var_pop(f), stddev(f), stddev_pop(f) FROM vs;
SELECT variance(r), stddev(r), variance(s), stddev_pop(s) FROM vs;
SELECT g, variance(i), var_pop(i), stddev(n), stddev_pop(f) FROM vs GROUP BY g ORDER BY g;
SELECT pg_typeof(variance(i)), pg_typeof(stddev(f)), pg_typeof(var_pop(r)), pg_typeof(stddev_samp(n)) FROM vs;
SELECT var_samp(x), var_pop(x), stddev_samp(x), stddev_pop(x) FROM (VALUES (3.0)) t(x);
SELECT var_samp(x), var_pop(x) FROM (VALUES (1e-20), (2e-20)) t(x);
SELECT var_samp(x), stddev(x) FROM (VALUES (1::numeric), ('NaN')) t(x);
SELECT var_samp(x), stddev(x) FROM (VALUES (1::float8), ('NaN')) t(x);
SELECT var_samp(x), stddev(x) FROM (VALUES (1::float8), ('Infinity')) t(x);
SELECT variance(x) FROM (VALUES (123456789012345678::numeric), (-98765432109876543.21), (7)) t(x);
SELECT stddev(x) FROM (VALUES (1e300::float8), (-1e300)) t(x); -- error 22003
SELECT variance(i) FROM vs WHERE false;
SELECT g, i, stddev_pop(i) OVER (PARTITION BY g ORDER BY i) FROM vs ORDER BY g, i;
SELECT variance(i) FILTER (WHERE g = 1), stddev(DISTINCT i) FROM vs;
SELECT variance('x'::text) FROM vs; -- error 42883
SELECT stddev(true) FROM vs; -- error 42883
DROP TABLE vs;
SELECT var_samp(x), stddev(x), var_pop(x) FROM (VALUES (1::float8), ('Infinity'), (2)) t(x);
SELECT var_samp(x), stddev_samp(x), var_pop(x), stddev_pop(x) FROM (VALUES ('NaN'::numeric)) t(x);
SELECT var_samp(x), var_pop(x) FROM (VALUES ('Infinity'::numeric)) t(x);
