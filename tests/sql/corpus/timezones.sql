-- Named time zones from tzdata (the same files PostgreSQL 15 on Debian reads), POSIX and
-- numeric zones, and what they do to input, output, arithmetic and to_char. Nothing here reads
-- the clock.
SET timezone = 'europe/oslo';
SHOW timezone;
SELECT '2024-06-01 12:00:00'::timestamptz, '2024-01-01 12:00'::timestamptz;
SELECT '2024-03-31 02:30'::timestamptz AS skipped, '2024-10-27 02:30'::timestamptz AS twice;
SET timezone = 'America/New_York';
SELECT '2018-03-11 02:30'::timestamptz, '2018-11-04 01:30'::timestamptz;
SELECT '2018-03-10 12:00'::timestamptz + interval '1 day', '2018-03-10 12:00'::timestamptz + interval '24 hours';
SELECT '2018-03-12 12:00'::timestamptz - interval '1 day 2 hours';
SELECT date_trunc('day', '2018-03-11 12:00'::timestamptz), date_trunc('month', '2018-03-31 12:00'::timestamptz);
SELECT '2018-03-11 12:00'::timestamptz AT TIME ZONE 'Asia/Kolkata';
SELECT '2018-03-11 12:00'::timestamp AT TIME ZONE 'Europe/London';
SELECT timezone('Asia/Tokyo', '2018-07-11 12:00'::timestamptz);
SELECT to_char('2018-07-11 12:00'::timestamptz, 'YYYY-MM-DD HH24:MI TZ tz OF');
SELECT to_char('2018-01-11 12:00'::timestamptz, 'YYYY-MM-DD HH24:MI TZ OF');
SELECT '2100-07-01 12:00'::timestamptz AS past_the_table, '1850-01-01 12:00'::timestamptz AS local_mean_time;
SELECT extract(timezone FROM '2018-07-11 12:00'::timestamptz), extract(timezone_hour FROM '2018-01-11 12:00'::timestamptz);
SELECT extract(epoch FROM '2018-07-11 12:00'::timestamptz);
SELECT '2018-07-11 12:00'::timestamptz::date, '2018-07-11 02:00+00'::timestamptz::timestamp, '2018-07-11 12:00'::timestamp::timestamptz;
SELECT '2018-03-11 12:00'::timestamptz - '2018-03-10 12:00'::timestamptz, age('2018-03-11 12:00'::timestamptz, '2018-03-10 12:00'::timestamptz);
SELECT '2024-06-01 12:00 Europe/Helsinki'::timestamptz, '2024-06-01 12:00 japan'::timestamptz;
SELECT '2024-06-01 12:00 Foo/Bar'::timestamptz; -- error 22023
SET timezone = 'Nowhere/Land'; -- error 22023
SET timezone = '../../etc/passwd'; -- error 22023
SHOW timezone;
SET timezone = 'Asia/Kathmandu';
SELECT '2024-01-01 00:00+00'::timestamptz, to_char('2024-01-01 00:00+00'::timestamptz, 'TZ|OF');
SET timezone = 'EST5EDT';
SHOW timezone;
SELECT '2024-07-01 00:00+00'::timestamptz, '2024-01-01 00:00+00'::timestamptz;
SET timezone = 'Australia/Lord_Howe';
SELECT '2024-01-01 00:00+00'::timestamptz, '2024-07-01 00:00+00'::timestamptz;
SET timezone = 'America/Sao_Paulo';
SELECT '2017-10-15 00:30'::timestamptz, '2040-01-01 00:00+00'::timestamptz;
SET timezone = 'Pacific/Apia';
SELECT '2011-12-29 12:00'::timestamptz, '2011-12-31 12:00'::timestamptz;
SET timezone = 'Etc/GMT+3';
SHOW timezone;
SELECT '2024-07-01 00:00+00'::timestamptz, to_char('2024-07-01 00:00+00'::timestamptz, 'TZ|OF');
SET timezone = 'UTC+5';
SHOW timezone;
SELECT '2024-07-01 00:00+00'::timestamptz, to_char('2024-07-01 00:00+00'::timestamptz, 'TZ|OF');
SET timezone = '<+03>-3';
SHOW timezone;
SELECT '2024-07-01 00:00+00'::timestamptz, to_char('2024-07-01 00:00+00'::timestamptz, 'TZ|OF');
SET timezone = '+05:30';
SHOW timezone;
SELECT '2024-07-01 00:00+00'::timestamptz, to_char('2024-07-01 00:00+00'::timestamptz, 'TZ|OF');
SET timezone = 5.5;
SHOW timezone;
SELECT '2024-07-01 00:00+00'::timestamptz, to_char('2024-07-01 00:00+00'::timestamptz, 'TZ|OF');
SET timezone = 'utc';
SHOW timezone;
SELECT '2024-07-01 00:00+00'::timestamptz, to_char('2024-07-01 00:00+00'::timestamptz, 'TZ');
SET timezone = 'Europe/Berlin';
CREATE TABLE tz_events (id int PRIMARY KEY, at timestamptz);
INSERT INTO tz_events VALUES (1, '2024-03-30 12:00'), (2, '2024-03-31 12:00'), (3, '2024-10-27 02:30');
SELECT id, at, at AT TIME ZONE 'UTC' FROM tz_events ORDER BY id;
SET timezone = 'America/Los_Angeles';
SELECT id, at FROM tz_events ORDER BY id;
SELECT id FROM tz_events WHERE at = '2024-03-31 03:00:00-07' ORDER BY id;
SET timezone = 'Europe'; -- error 22023
SET timezone = 'FOO5BAR';
SHOW timezone;
SELECT '2024-07-01 12:00+00'::timestamptz, '2024-01-01 12:00+00'::timestamptz, to_char('2024-07-01 12:00+00'::timestamptz, 'TZ');
SET timezone = 'Europe/Oslo';
SELECT '2023-02-26 02:30'::timestamptz + interval '1 month 1 day', '2023-02-26 02:30'::timestamptz + interval '1 month';
SELECT '2024-01-31 12:00'::timestamptz + interval '1 month 30 days', '2024-03-31 02:30'::timestamptz - interval '1 day';
SET timezone = 'right/UTC'; -- error 22023
SET TIME ZONE INTERVAL '+02:00' HOUR TO MINUTE;
SHOW timezone;
SELECT '2024-07-01 00:00+00'::timestamptz;
SET TIME ZONE INTERVAL '-05:30';
SHOW timezone;
SELECT '2024-07-01 00:00+00'::timestamptz;
SET TIME ZONE INTERVAL '1 day'; -- error 22023
SET TIME ZONE INTERVAL '1 month'; -- error 22023
SELECT '2024-07-01 12:00+00'::timestamptz AT TIME ZONE 'FOO5BAR', '2024-07-01 12:00+00'::timestamptz AT TIME ZONE '5', '2024-07-01 12:00+00'::timestamptz AT TIME ZONE '<+03>-3';
