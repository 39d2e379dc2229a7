-- ORDER BY inside aggregate calls: string_agg, array_agg and others fed in the given order, with
-- DESC, NULLS FIRST/LAST, several keys, GROUP BY, FILTER, DISTINCT, and the errors.
CREATE TABLE ao (g int, x int, s text, k int);
INSERT INTO ao VALUES (1, 3, 'c', 2), (1, 1, 'a', 3), (1, 2, 'b', 1), (2, 5, 'e', NULL), (2, NULL, 'n', 0), (2, 4, 'd', 9), (3, NULL, NULL, NULL);
SELECT string_agg(s, ',' ORDER BY s) FROM ao;
SELECT string_agg(s, ',' ORDER BY s DESC) FROM ao;
SELECT string_agg(s, ',' ORDER BY k) FROM ao;
SELECT string_agg(s, ',' ORDER BY k DESC) FROM ao;
SELECT string_agg(s, ',' ORDER BY k NULLS FIRST) FROM ao;
SELECT string_agg(s, ',' ORDER BY k DESC NULLS LAST) FROM ao;
SELECT g, string_agg(s, '-' ORDER BY x DESC), array_agg(x ORDER BY x) FROM ao GROUP BY g ORDER BY g;
SELECT g, array_agg(x ORDER BY k, x DESC) FROM ao GROUP BY g ORDER BY g;
SELECT array_agg(x ORDER BY -x) FROM ao WHERE x IS NOT NULL;
SELECT array_agg(x ORDER BY x) FILTER (WHERE g = 1) FROM ao;
SELECT array_agg(DISTINCT g ORDER BY g DESC) FROM ao;
SELECT string_agg(DISTINCT s, ',' ORDER BY s DESC) FROM ao;
SELECT array_agg(DISTINCT g ORDER BY x) FROM ao; -- error 42P10
SELECT sum(x ORDER BY k), count(x ORDER BY s), max(s ORDER BY x) FROM ao;
SELECT string_agg(s, ',' ORDER BY s) FROM ao WHERE false;
SELECT g, string_agg(s, ',' ORDER BY s) OVER (PARTITION BY g) FROM ao; -- error 0A000
SELECT string_agg(s, ',' ORDER BY nosuch) FROM ao; -- error 42703
SELECT array_agg(x ORDER BY sum(x)) FROM ao; -- error 42803
DROP TABLE ao;
SELECT array_agg(x) WITHIN GROUP (ORDER BY x) FROM (VALUES (1), (2)) t(x); -- error 42883
SELECT count(*) WITHIN GROUP (ORDER BY x) FROM (VALUES (1)) t(x); -- error 42809
