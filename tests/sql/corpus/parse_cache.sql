-- The same statement shapes again and again with other numbers: the session's parse cache must give what a fresh parse gives.
CREATE TABLE pc (a int PRIMARY KEY, b numeric, c varchar(10));
INSERT INTO pc VALUES (1, 1.5, 'one');
INSERT INTO pc VALUES (2, -2.25, 'two');
INSERT INTO pc VALUES (3, 0, 'three');
INSERT INTO pc VALUES (-4, 4e2, 'minus four');
SELECT a, b FROM pc WHERE a = 1;
SELECT a, b FROM pc WHERE a = 2;
SELECT a, b FROM pc WHERE a = -4;
SELECT a, b FROM pc WHERE a = 0;
SELECT a, b FROM pc WHERE a = 3000000000;
SELECT a, b FROM pc WHERE a = 3.0;
SELECT a, b FROM pc WHERE a = 1;
SELECT a, c FROM pc ORDER BY 1 LIMIT 2;
SELECT a, c FROM pc ORDER BY 2 LIMIT 2;
SELECT a, c FROM pc ORDER BY 3 LIMIT 2; -- error 42P10
SELECT a, c FROM pc ORDER BY 1 LIMIT 0;
SELECT a, c FROM pc ORDER BY 1 LIMIT 2 OFFSET 1;
SELECT 'abcdefghijkl'::varchar(5), 'abcdefghijkl'::varchar(3);
SELECT 'abcdefghijkl'::varchar(8), 'abcdefghijkl'::varchar(1);
SELECT 'abcdefghijkl'::varchar(0); -- error 22023
SELECT 1.5::numeric(5, 2), 12.345::numeric(6, 1);
SELECT 2.5::numeric(5, 0), 99999.5::numeric(3, 1); -- error 22003
SELECT 10 / 2, 7 % 3, -7 / 2;
SELECT 10 / 0, 7 % 3, -7 / 2; -- error 22012
SELECT 100 / 3, 8 % 3, -70 / 2;
UPDATE pc SET b = b + -1 WHERE a = 1;
UPDATE pc SET b = b + 10 WHERE a = 2;
UPDATE pc SET b = b + 0 WHERE a = 3;
UPDATE pc SET b = b + 2147483648 WHERE a = -4;
SELECT a, b FROM pc ORDER BY a;
SELECT starts_with('abcdef', 'abc'), starts_with('abcdef', 'bc'), starts_with(NULL, 'a');
SELECT translate('12345', '143', 'ax'), translate('héllo', 'é', 'e'), translate('abc', '', 'x');
SELECT to_hex(255), to_hex(0), to_hex(-1), to_hex(9223372036854775807), to_hex(-1::bigint);
SELECT concat_ws(',', 'a', NULL, 'b', 1, true), concat_ws(NULL, 'a', 'b'), concat_ws('-', NULL);
