-- Scalar functions beyond the basics: extract/date_part/date_trunc/age/to_char/to_date/
-- to_timestamp/make_*/AT TIME ZONE, numeric math, format/regexp/encode and friends; their
-- NULL arguments, edge cases and errors. The session time zone is UTC; nothing reads the clock.
SELECT extract(second FROM timestamp '2024-03-15 10:20:30.5'), extract(milliseconds FROM timestamp '2024-03-15 10:20:30.5'), extract(microseconds FROM time '01:02:03.25');
SELECT extract(julian FROM timestamp '2024-03-15 12:00'), extract(julian FROM date '2024-01-01'), extract(epoch FROM date '2024-01-01');
SELECT extract(epoch FROM interval '1 day 2 hours'), extract(epoch FROM interval '1 year 1 month'), extract(epoch FROM time '01:00:00.5');
SELECT extract(century FROM date '0001-01-01 BC'), extract(millennium FROM date '2000-12-31'), extract(decade FROM date '0005-01-01 BC'), extract(year FROM date '0005-01-01 BC');
SELECT extract(week FROM date '2024-12-30'), extract(isoyear FROM date '2024-12-30'), extract(isodow FROM date '2024-03-17'), extract(doy FROM date '2024-12-31'), extract(quarter FROM date '2024-12-31');
SELECT extract(month FROM interval '-14 months'), extract(year FROM interval '-14 months'), extract(day FROM interval '-3 days'), extract(hour FROM interval '-25 hours'), extract(millennium FROM interval '2500 years');
SELECT extract(year FROM timestamp 'infinity'), extract(dow FROM timestamp 'infinity'), extract(epoch FROM timestamp '-infinity'), extract(month FROM date 'infinity');
SELECT extract(timezone FROM timestamptz '2024-01-01 00:00+02'), extract(timezone_hour FROM timestamptz '2024-01-01 00:00+02'), extract(hour FROM timestamptz '2024-01-01 00:00+02');
SELECT date_part('epoch', interval '1 month'), date_part('second', timestamp '2024-01-01 00:00:01.25'), date_part('hour', date '2024-01-01'), date_part('DOW', timestamp '2024-03-16');
SELECT date_part(NULL, timestamp '2024-01-01'), date_part('year', NULL::date), extract(year FROM NULL::timestamp);
SELECT extract(hour FROM date '2024-01-01'); -- error 0A000
SELECT extract(foo FROM date '2024-01-01'); -- error 22023
SELECT extract(timezone FROM timestamp '2024-01-01'); -- error 0A000
SELECT extract(dow FROM interval '1 day'); -- error 0A000
SELECT extract(day FROM time '10:00'); -- error 0A000
SELECT date_trunc('year', timestamp '2024-03-15 10:20:30.123456'), date_trunc('quarter', timestamp '2024-08-15'), date_trunc('week', timestamp '2024-03-17 10:00'), date_trunc('day', timestamp '2024-03-15 10:20');
SELECT date_trunc('minute', timestamp '2024-03-15 10:20:30'), date_trunc('second', timestamp '2024-03-15 10:20:30.9'), date_trunc('milliseconds', timestamp '2024-03-15 10:20:30.123456'), date_trunc('microseconds', timestamp '2024-03-15 10:20:30.123456');
SELECT date_trunc('decade', timestamp '2024-03-15'), date_trunc('century', timestamp '2024-03-15'), date_trunc('millennium', timestamp '2024-03-15'), date_trunc('century', timestamp '1900-12-31');
SELECT date_trunc('month', timestamptz '2024-03-15 10:00+00'), date_trunc('day', date '2024-03-15'), date_trunc('hour', timestamptz '2024-03-15 10:30+00', '+05:30');
SELECT date_trunc('hour', interval '3 days 04:05:06'), date_trunc('year', interval '2 years 3 months'), date_trunc('quarter', interval '5 months'), date_trunc('day', interval '-1 day -2 hours');
SELECT date_trunc('month', timestamp 'infinity'), date_trunc(NULL, timestamp '2024-01-01'), date_trunc('day', NULL::timestamp);
SELECT date_trunc('fortnight', timestamp '2024-01-01'); -- error 22023
SELECT date_trunc('epoch', timestamp '2024-01-01'); -- error 22023
SELECT date_trunc('week', interval '10 days'); -- error 0A000
SELECT date_trunc('dow', timestamp '2024-01-01'); -- error 22023
SELECT age(timestamp '2024-03-01', timestamp '2024-01-31'), age(timestamp '2024-01-31', timestamp '2024-03-01'), age(timestamp '2024-03-15 10:00', timestamp '2024-03-15 12:30');
SELECT age(date '2024-03-15', date '2020-02-29'), age(timestamptz '2024-03-15 00:00+00', timestamptz '2023-12-25 06:00+00'), age(timestamp '2024-01-01', timestamp '2024-01-01');
SELECT age(timestamp '2024-01-01', NULL), age(NULL::timestamp, timestamp '2024-01-01');
SELECT age(timestamp '2024-02-29', timestamp '2023-02-28'), age(timestamp '2023-03-31 23:59:59.5', timestamp '2024-02-29 00:00:00.75');
SELECT to_char(timestamp '2024-03-05 07:08:09.123456', 'YYYY-MM-DD HH24:MI:SS.MS.US'), to_char(timestamp '2024-03-05 19:08:09', 'HH12:MI AM, HH:MI pm');
SELECT to_char(timestamp '2024-03-05 07:08:09', 'Day, DD Month YYYY'), to_char(timestamp '2024-03-05 07:08:09', 'FMDay, FMDD FMMonth YYYY'), to_char(date '2024-03-05', 'DY dy Dy MON mon Mon MONTH');
SELECT to_char(date '2024-03-05', 'D DDD IW WW W Q CC J'), to_char(date '2024-12-30', 'IYYY-IW-ID IDDD'), to_char(date '2024-03-01', 'DDth FMDDTH ddth'), to_char(date '2024-03-22', 'FMDDth');
SELECT to_char(timestamptz '2024-03-05 07:08:09+00', 'YYYY-MM-DD HH24:MI:SS TZ OF TZH:TZM'), to_char(timestamp '2024-03-05 07:08:09', 'TZ|OF'), to_char(date '0044-03-15 BC', 'YYYY BC B.C. ad Y,YYY');
SELECT to_char(timestamp '2024-03-05 00:00:00', 'HH12 AM SSSS'), to_char(timestamp '2024-03-05 12:00:00', 'HH12 P.M. a.m.'), to_char(timestamp '2024-03-05 07:08:09', '"Year" YYYY "\"q\"" YY Y YYY'), to_char(date '2024-07-04', 'RM rm FMRM');
SELECT to_char(interval '1 year 2 months 3 days 04:05:06.789', 'YYYY MM DD HH24:MI:SS.MS'), to_char(interval '30 hours', 'HH24 HH12 HH'), to_char(interval '-1 hour -2 minutes', 'HH24:MI');
SELECT to_char(timestamp 'infinity', 'YYYY'), to_char(NULL::timestamp, 'YYYY'), to_char(timestamp '2024-01-01', NULL), to_char(timestamp '2024-01-01', '');
SELECT to_char(interval '1 day', 'Day'); -- error 22007
SELECT to_char(12345.678, '99999.99'), to_char(0.5, '9.99'), to_char(0, '999'), to_char(0, '9.99'), to_char(0, '0.99'), to_char(-0.5, '9.99');
SELECT to_char(5, 'FM9.99'), to_char(5.5, 'FM9.00'), to_char(5, 'FM999'), to_char(0, 'FM999'), to_char(0.5, 'FM9.99'), to_char(-1234.5, 'FM9,999.00');
SELECT to_char(12345, '999'), to_char(-12, 'S999'), to_char(12, '999S'), to_char(-12, '999MI'), to_char(12, '999MI'), to_char(-12, '999PR'), to_char(12, '999PR');
SELECT to_char(1234567, '9,999,999'), to_char(12, '9,999'), to_char(12, '0,000'), to_char(12, 'L999'), to_char(12.345, '999D99'), to_char(1234, '9G999'), to_char(-12, 'SG999'), to_char(12, 'PL999');
SELECT to_char(1.5::float8, '9.9999999999999999'), to_char(123::int, '00000'), to_char(-5, 'FM990'), to_char(12.5, '99'), to_char(-12, 'FMS999'), to_char(0.05, '0.99'), to_char(125, '9"x"99');
SELECT to_char(-0.01, 'FM990.00'), to_char(99.999, '99.99'), to_char(3.14159::float4, '9.999'), to_char(12, 'FM00'), to_char(42::int8, '999,999'), to_char(42::smallint, '099'), to_char(2.5::float8, '9');
SELECT to_char(NULL::numeric, '999'), to_char(1, NULL);
SELECT to_char(1, '9.9.9'); -- error 42601
SELECT to_date('05 Mar 2024', 'DD Mon YYYY'), to_date('2024-03-05', 'YYYY-MM-DD'), to_date('20240305', 'YYYYMMDD'), to_date('March 5, 2024', 'Month DD, YYYY');
SELECT to_date('5/3/24', 'DD/MM/YY'), to_date('2024 065', 'YYYY DDD'), to_date('2024', 'YYYY'), to_date('44 BC 03 15', 'YYYY BC MM DD');
SELECT to_timestamp('2024-03-05 10:00', 'YYYY-MM-DD HH24:MI'), to_timestamp('05/03/2024 07:30:15.25 PM', 'DD/MM/YYYY HH12:MI:SS.MS AM'), to_timestamp('2024-03-05 10:00 +02:30', 'YYYY-MM-DD HH24:MI TZH:TZM');
SELECT to_timestamp('2024-03-05 10:00:00.123456', 'YYYY-MM-DD HH24:MI:SS.US'), to_timestamp('Tue 05 Mar 2024', 'Dy DD Mon YYYY'), to_timestamp(NULL, 'YYYY'), to_date('2024', NULL);
SELECT to_date('2024-02-30', 'YYYY-MM-DD'); -- error 22008
SELECT to_date('2024-13-01', 'YYYY-MM-DD'); -- error 22008
SELECT to_date('xx', 'YYYY'); -- error 22007
SELECT to_timestamp('13:00 PM', 'HH12:MI PM'); -- error 22007
SELECT to_timestamp(0), to_timestamp(1700000000.5), to_timestamp(-1.5), to_timestamp('infinity'::float8), to_timestamp(NULL::float8);
SELECT to_timestamp(1e20); -- error 22008
SELECT to_timestamp('NaN'::float8); -- error 22008
SELECT make_date(2024, 2, 29), make_date(-44, 3, 15), make_time(23, 59, 59.999999), make_time(24, 0, 0), make_timestamp(2024, 2, 29, 1, 2, 3.25);
SELECT make_timestamptz(2024, 3, 5, 10, 0, 0), make_timestamptz(2024, 3, 5, 10, 0, 0, '+02'), make_interval(1, 2, 3, 4, 5, 6, 7.5), make_interval(hours => 36, mins => 5), make_interval();
SELECT make_date(NULL, 1, 1), make_interval(days => NULL);
SELECT make_date(0, 1, 1); -- error 22008
SELECT make_date(2023, 2, 29); -- error 22008
SELECT make_date(-5, 13, 1); -- error 22008
SELECT make_time(25, 0, 0); -- error 22008
SELECT make_timestamp(2024, 1, 1, 12, 60, 0); -- error 22008
SELECT make_interval(secs => 'infinity'); -- error 22008
SELECT timestamp '2024-01-01 12:00' AT TIME ZONE '+05', timestamp '2024-01-01 12:00' AT TIME ZONE 'UTC+5', timestamp '2024-01-01 12:00' AT TIME ZONE '-03:30', timestamp '2024-01-01 12:00' AT TIME ZONE 'utc';
SELECT timestamptz '2024-01-01 12:00+00' AT TIME ZONE 'Z', timestamptz '2024-01-01 12:00+00' AT TIME ZONE '+02', timezone('gmt', timestamptz '2024-01-01 12:00+00'), date '2024-01-01' AT TIME ZONE 'UTC';
SELECT timestamp '2024-01-01 12:00' AT TIME ZONE interval '02:00', timestamptz '2024-01-01 12:00+00' AT TIME ZONE interval '-02:30', timestamp 'infinity' AT TIME ZONE 'UTC', NULL::timestamp AT TIME ZONE 'UTC';
SELECT timestamp '2024-01-01 12:00' AT TIME ZONE 'foo'; -- error 22023
SELECT timestamp '2024-01-01 12:00' AT TIME ZONE interval '1 day'; -- error 22023
SELECT justify_days(interval '35 days'), justify_days(interval '-35 days 1 month'), justify_hours(interval '27 hours'), justify_hours(interval '1 day -3 hours'), justify_interval(interval '1 mon -1 hour'), justify_interval(interval '-1 mon 40 days 25 hours');
SELECT isfinite(date '2024-01-01'), isfinite(timestamp 'infinity'), isfinite(timestamptz '-infinity'), isfinite(interval '1 day'), isfinite(NULL::date);
SELECT sqrt(0::numeric), sqrt(2::numeric), sqrt(100::numeric), sqrt(2.0000000000000000000000), sqrt(1e-10::numeric), sqrt(123456789012345678901234567890::numeric);
SELECT 2::numeric ^ 0, 10::numeric ^ 2, 2::numeric ^ -2, 0::numeric ^ 0, 0::numeric ^ 1.5, 2 ^ 0.5, 9 ^ 0.5, 1.5 ^ 3, (-2)::numeric ^ 3, 2.5 ^ 2.5;
SELECT power(2::numeric, 10), power(2, 10), pow(2.0, 0.5), power(1.0000001, 1000000), 0.5 ^ 20, 10::numeric ^ -20;
SELECT exp(1::numeric), exp(0::numeric), exp(-1.5), exp(10.5::numeric), exp(1), exp(1.0::float8), exp(-700::float8);
SELECT ln(10::numeric), ln(2.0), ln(1::numeric), ln(0.001), ln(1e100), ln(2.718281828), ln(10), ln(1.0::float8);
SELECT log(100::numeric), log(2::numeric, 8::numeric), log(2, 1024), log10(1000::numeric), log(0.01), log(1000), log10(1000), log(10, 1);
SELECT div(17, 5), div(-17, 5), div(17.5, 2.5), div(-7.9, 2), div(0, 3), div(9.99, 0.1), div(NULL, 1);
SELECT cbrt(27), degrees(pi()), radians(180), sin(0), cos(0), tan(0), atan(1), atan2(1, 1), asin(1), acos(1), cot(1), scale(1.2300), scale(5);
SELECT 0::numeric ^ -1; -- error 2201F
SELECT (-8)::numeric ^ 0.5; -- error 2201F
SELECT sqrt(-1::numeric); -- error 2201F
SELECT ln(0::numeric); -- error 2201E
SELECT ln(-1.5); -- error 2201E
SELECT log(1, 10); -- error 22012
SELECT div(1, 0); -- error 22012
SELECT exp(10000::numeric); -- error 22003
SELECT exp(1000::float8); -- error 22003
SELECT ln(0::float8); -- error 2201E
SELECT asin(2); -- error 22003
SELECT md5(''), md5('The quick brown fox'), md5('abc'::bytea), md5(NULL), sha224('abc'::bytea), sha384(''::bytea), sha512('abc'::bytea);
SELECT encode('\x00ff10'::bytea, 'hex'), encode('hello world', 'base64'), encode('a\000b\\c'::bytea, 'escape'), encode(''::bytea, 'base64'), encode(NULL::bytea, 'hex');
SELECT encode(decode(repeat('41', 80), 'hex'), 'base64');
SELECT decode('aGVsbG8=', 'base64'), decode('aGVs bG8=', 'base64'), decode('AB cd', 'hex'), decode('a\\b\101', 'escape'), decode('', 'hex'), decode(NULL, 'hex');
SELECT decode('abc', 'hex'); -- error 22023
SELECT decode('zz', 'hex'); -- error 22023
SELECT decode('a*b', 'base64'); -- error 22023
SELECT encode('abc'::bytea, 'rot13'); -- error 22023
SELECT length('abc'::bytea), octet_length('\x0001ff'::bytea), bit_length('\x0001'::bytea), bit_length('héllo'), length(NULL::bytea);
SELECT regexp_replace('Hello World', 'o', '0'), regexp_replace('Hello World', 'o', '0', 'g'), regexp_replace('Hello World', 'WORLD', 'There', 'i'), regexp_replace('abc', 'x', 'y');
SELECT regexp_replace('john smith', '(\w+) (\w+)', '\2, \1'), regexp_replace('abc', 'b', '[\&]'), regexp_replace('a.b.c', '\.', '\\', 'g'), regexp_replace('aaa', 'a*', 'X', 'g'), regexp_replace(NULL, 'a', 'b');
SELECT regexp_match('foo123bar456', '(\d+)\D+(\d+)'), regexp_match('abc', 'x'), regexp_match('ABC', 'b', 'i'), regexp_match('abc', '(x)?b'), regexp_match(NULL, 'a');
SELECT regexp_replace('abc', 'b', 'x', 'z'); -- error 22023
SELECT regexp_match('abc', 'b', 'g'); -- error 22023
SELECT regexp_replace('abc', '(', 'x'); -- error 2201B
SELECT format('Hello %s', 'World'), format('%s %s %s', 1, 2.5, true), format('%1$s %1$s %2$s', 'a', 'b'), format('%2$s %s', 'a', 'b', 'c'), format('100%%'), format('x');
SELECT format('|%5s|%-5s|', 'ab', 'cd'), format('|%*s|', 6, 'xy'), format('|%*s|', -6, 'xy'), format('|%-*s|', 4, 'z'), format('%3$s %1$*2$s', 'a', 4, 'c');
SELECT format('%I', 'simple'), format('%I', 'Has Space'), format('%I', 'select'), format('%L', 'it''s'), format('%L', 'back\slash'), format('%L', NULL), format('[%s]', NULL), format(NULL, 1);
SELECT format('%s', date '2024-01-02'), format('%L', 42), format('%I.%I', 'public', 'T');
SELECT format('%d', 1); -- error 22023
SELECT format('%s %s', 1); -- error 22023
SELECT format('%0$s', 1); -- error 22023
SELECT format('%', 1); -- error 22023
SELECT format('%I', NULL); -- error 22004
SELECT quote_literal('plain'), quote_literal(42), quote_literal(E'a\\b'), quote_literal(NULL), quote_nullable(NULL), quote_nullable('x'), quote_nullable(1.5);
SELECT overlay('Txxxxas' PLACING 'hom' FROM 2 FOR 4), overlay('abcdef' PLACING 'XY' FROM 3), overlay('abc' PLACING 'XYZ' FROM 10), overlay('abcdef' PLACING '' FROM 2 FOR 2), overlay('héllo' PLACING 'E' FROM 2 FOR 1), overlay(NULL PLACING 'x' FROM 1);
SELECT overlay('abc' PLACING 'x' FROM 0); -- error 22011
SELECT overlay('abc' PLACING 'x' FROM 1 FOR -1), overlay('abcdef' PLACING 'x' FROM 3 FOR -1);
SELECT 'abc' SIMILAR TO 'abc', 'abc' SIMILAR TO 'a', 'abc' SIMILAR TO '%(b|d)%', 'abc' SIMILAR TO '_b_', 'abc' NOT SIMILAR TO 'a%', 'a.c' SIMILAR TO 'a.c', 'abc' SIMILAR TO 'a.c';
SELECT 'ab%' SIMILAR TO 'ab#%' ESCAPE '#', 'abc' SIMILAR TO 'ab#%' ESCAPE '#', 'aaa' SIMILAR TO 'a{2,3}', 'abab' SIMILAR TO '(ab)+', 'x' SIMILAR TO '[a-z]', NULL SIMILAR TO 'a', similar_to_escape('a%b_c'), similar_to_escape('a#%', '#');
SELECT 'abc' SIMILAR TO 'a' ESCAPE 'xy'; -- error 22025
SELECT pg_typeof(1.5::float4), pg_typeof(now()), pg_typeof(NULL), pg_typeof('x'), pg_typeof(ARRAY[1]), pg_typeof(date '2024-01-01' - 1), pg_typeof(extract(year FROM date '2024-01-01')), pg_typeof(date_part('year', date '2024-01-01'));
SELECT pg_typeof(date_trunc('day', date '2024-01-01')), pg_typeof(age(date '2024-01-01', date '2023-01-01')), pg_typeof(2 ^ 2), pg_typeof(2 ^ 2.0), pg_typeof(sqrt(2)), pg_typeof(sqrt(2.0)), pg_typeof(log(2, 8)), pg_typeof(div(7, 2));
SELECT extract(year FROM '2024-01-01'); -- error 42725
SELECT to_char('2024-01-01', 'YYYY'); -- error 42725
SELECT date_trunc('day', 5); -- error 42883
SELECT make_date('x', 1, 1); -- error 22P02
SELECT md5(1); -- error 42883
CREATE TABLE fm (id int, ts timestamp, n numeric, s text);
INSERT INTO fm VALUES (1, '2024-01-15 10:30', 1234.5, 'alpha'), (2, '2024-02-20 23:59:59', -0.25, 'Beta'), (3, '2023-12-31 00:00', 1e6, NULL), (4, NULL, NULL, 'gamma');
SELECT id, extract(month FROM ts), to_char(ts, 'Mon DD, YYYY HH12:MIam'), to_char(n, 'FM999,999,990.00'), format('%s=%L', s, n) FROM fm ORDER BY id;
SELECT date_trunc('month', ts) AS m, count(*), sum(n) FROM fm GROUP BY date_trunc('month', ts) ORDER BY m NULLS LAST;
SELECT id FROM fm WHERE extract(year FROM ts) = 2024 AND s SIMILAR TO '[a-z]%' ORDER BY id;
SELECT id, regexp_replace(s, '[aeiou]', '*', 'g'), md5(s), age(timestamp '2024-03-01', ts) FROM fm ORDER BY id;
DROP TABLE fm;
