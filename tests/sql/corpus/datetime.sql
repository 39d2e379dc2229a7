-- Dates, times, timestamps, intervals: literals, arithmetic, extraction, formatting, errors.
-- The session time zone is UTC on both servers; nothing here reads the clock.
SELECT '2024-03-15'::date, '2024-03-15 13:45:30'::timestamp, '13:45:30'::time;
SELECT '2024-03-15 13:45:30+02'::timestamptz, '2024-03-15 13:45:30.123456'::timestamp;
SELECT date '2024-02-28' + 1, date '2024-03-01' - 1, date '2024-03-01' - date '2024-01-01';
SELECT date '2024-01-31' + interval '1 month', timestamp '2024-01-01 00:00' + interval '90 minutes';
SELECT timestamp '2024-01-02 03:04:05' - timestamp '2024-01-01 00:00:00';
SELECT interval '1 day 2 hours', interval '90 minutes', interval '1 year 2 months', interval '-1 day';
SELECT interval '1 day' * 3, interval '1 hour' / 2, interval '1 day' + interval '3 hours';
SELECT extract(year FROM date '2024-03-15'), extract(month FROM timestamp '2024-03-15 10:00'),
  extract(dow FROM date '2024-03-15'), extract(epoch FROM timestamp '1970-01-02 00:00:00');
SELECT date_part('hour', timestamp '2024-03-15 10:20:30'), date_part('day', interval '3 days');
SELECT date_trunc('month', timestamp '2024-03-15 10:20:30'), date_trunc('hour', timestamp '2024-03-15 10:20:30');
SELECT to_char(timestamp '2024-03-05 07:08:09', 'YYYY-MM-DD HH24:MI:SS'), to_char(date '2024-03-05', 'DD Mon YYYY');
SELECT to_date('05 Mar 2024', 'DD Mon YYYY'), to_timestamp('2024-03-05 10:00', 'YYYY-MM-DD HH24:MI');
SELECT make_date(2024, 2, 29), make_time(1, 2, 3.5), make_interval(days => 10);
SELECT age(timestamp '2024-03-15', timestamp '2023-01-01');
SELECT date '2024-03-15' < date '2024-03-16', timestamp '2024-01-01' = date '2024-01-01';
SELECT '2024-03-15 13:45:30+02'::timestamptz AT TIME ZONE 'UTC';
SELECT 'infinity'::date, '-infinity'::timestamp, 'epoch'::timestamp;
SELECT '2024-13-01'::date; -- error 22008
SELECT '2024-02-30'::date; -- error 22008
SELECT 'not a date'::date; -- error 22007
SELECT '25:00:00'::time; -- error 22008
SELECT interval '1 fortnight'; -- error 22007
SELECT date '2024-01-01' + date '2024-01-02'; -- error 42883
SELECT timestamp '2024-01-01' + 1; -- error 42883
CREATE TABLE ev (id int, at timestamp, d date, dur interval);
INSERT INTO ev VALUES (1, '2024-01-01 10:00', '2024-01-01', '1 hour'), (2, '2024-01-01 09:00', '2023-12-31', '2 days'),
  (3, '2024-02-01 00:00', '2024-02-01', '30 minutes'), (4, NULL, NULL, NULL);
SELECT id FROM ev ORDER BY at NULLS FIRST, id;
SELECT id, at + dur FROM ev ORDER BY id;
SELECT count(*) FROM ev WHERE at >= '2024-01-01' AND at < '2024-02-01';
SELECT date_trunc('month', at) AS m, count(*) FROM ev GROUP BY m ORDER BY m;
SELECT min(at), max(d), sum(dur), avg(dur) FROM ev;
DROP TABLE ev;
