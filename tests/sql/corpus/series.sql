-- generate_series over numeric, timestamp and timestamptz (with a session zone that changes
-- its offset inside the series), and their errors.
SELECT * FROM generate_series('2024-01-01'::timestamp, '2024-01-03'::timestamp, '1 day');
SELECT * FROM generate_series('2024-01-01', '2024-01-03', '1 day'::interval);
SELECT pg_typeof(g), g FROM generate_series('2024-01-01'::date, '2024-01-02'::date, '12 hours') g;
SELECT * FROM generate_series(1.5, 3.5, 0.5);
SELECT * FROM generate_series(1, 3.5);
SELECT * FROM generate_series(5.0, 1, -1.5);
SELECT * FROM generate_series(1::int8, 3::numeric, 1) g;
SELECT * FROM generate_series('2024-01-01'::timestamp, '2024-01-02', '0 day'); -- error 22023
SELECT * FROM generate_series('2024-01-01'::timestamp, '2024-01-02'); -- error 42883
SELECT * FROM generate_series(1, 'NaN'::numeric); -- error 22023
SELECT * FROM generate_series(1.0, 2, 0); -- error 22023
SET timezone = 'Europe/Oslo';
SELECT * FROM generate_series('2024-03-30 12:00'::timestamptz, '2024-04-01 12:00', '1 day');
SELECT * FROM generate_series('2024-01-31'::timestamp, '2024-05-31', '1 month');
SELECT * FROM generate_series('2024-01-03 00:00'::timestamp, '2024-01-01', '-1 day');
SELECT count(*), min(g), max(g) FROM generate_series('2024-01-01'::timestamptz, '2024-12-31', '1 hour') g;
SELECT '2024-10-27 00:30+00'::timestamptz + interval '1 hour', '2024-10-27 00:30+00'::timestamptz - interval '1 hour';
SELECT '2024-10-26 12:00+00'::timestamptz + interval '1 day 1 hour', '2024-03-30 12:00+00'::timestamptz + interval '1 day';
SELECT date_trunc('hour', g), count(*) FROM generate_series('2024-10-27 00:00+00'::timestamptz, '2024-10-27 01:59+00', '30 minutes') g GROUP BY 1 ORDER BY 1;
SELECT * FROM generate_series('1', '3'); -- error 42725
SELECT * FROM generate_series('2024-01-01', '2024-01-02', '1 day'); -- error 42725
SELECT * FROM generate_series(1, 3, '1 day'::interval); -- error 42883
