-- Types and casts: numeric precision, integer ranges, booleans, text/varchar/char, bytea, casts.
SELECT 1::int2, 100000::int4, 10000000000::int8, 1.5::numeric, 1.5::float4, 1.5::float8;
SELECT 32767::int2 + 1::int2; -- error 22003
SELECT 40000::int2; -- error 22003
SELECT '12'::int + 3, '  42  '::int, '-0'::int;
SELECT 'abc'::int; -- error 22P02
SELECT ''::int; -- error 22P02
SELECT 2.5::int, 3.5::int, -2.5::int, 2.49::int;
SELECT 1e3::int, 1.999::numeric(4, 2), 123.456::numeric(6, 1);
SELECT 12345.678::numeric(5, 2); -- error 22003
SELECT 0.1 + 0.2, 0.1::float8 + 0.2::float8, 1::float8 / 3;
SELECT 'NaN'::float8, 'Infinity'::float8, '-Infinity'::float8, 'NaN'::numeric;
SELECT 1e308::float8 * 10; -- error 22003
SELECT 'true'::boolean, 'f'::boolean, 'yes'::boolean, 'off'::boolean, '1'::boolean;
SELECT 'maybe'::boolean; -- error 22P02
SELECT true::int, 0::boolean, 5::boolean;
SELECT 'abc'::varchar(2), 'abc'::char(5), length('abc'::char(5)), 'a '::char(3) = 'a'::char(3);
SELECT 'x'::char(3) || 'y';
CREATE TABLE vc (s varchar(3), c char(2));
INSERT INTO vc VALUES ('abc', 'ab');
INSERT INTO vc VALUES ('abcd', 'ab'); -- error 22001
INSERT INTO vc VALUES ('ab', 'abc'); -- error 22001
INSERT INTO vc VALUES ('ab   ', 'a ');
SELECT s, c, length(s), length(c), octet_length(c) FROM vc;
DROP TABLE vc;
SELECT '\x414243'::bytea, 'abc'::bytea, length('\x0001'::bytea);
SELECT 123::text, 1.50::text, true::text, 'abc'::text::varchar;
SELECT CAST('2024-02-29' AS date), CAST(7 AS numeric(5, 2)), CAST('7' AS float8);
SELECT '2023-02-29'::date; -- error 22008
SELECT 10 / 4, 10 / 4.0, 10::numeric / 4, 10 % 4.5;
SELECT 5 / 2 * 2.0, 2 ^ 0.5, 9 ^ 0.5;
SELECT pg_typeof(1), pg_typeof(1.0), pg_typeof('a'::text), pg_typeof(1::int8 + 1), pg_typeof(1 + 1.0);
SELECT round(2.5), round(-2.5), round(2.5::float8), round(3.5::float8);
SELECT 9223372036854775807::int8, (-9223372036854775808)::int8;
SELECT 9223372036854775808::int8; -- error 22003
SELECT '1.5'::numeric * '2'::numeric, 1.0 / 3, 2.0 / 3;
SELECT ARRAY[1, 2, 3], ARRAY['a', 'b'], (ARRAY[1, 2, 3])[2], array_length(ARRAY[1, 2], 1);
SELECT '{1,2,3}'::int[], '{}'::text[], ARRAY[1, 2] || 3;
SELECT true::date; -- error 42846
SELECT 'a'::nosuchtype; -- error 42704
SELECT 1::int::text::int + 1, '3.7'::float8::int;
SELECT 1 = 1.0, 1::int8 = 1::int2, 'a' < 'b', 'B' < 'a', 1.5 > 1;
