-- COPY FROM STDIN (text and CSV, NULLs, escapes, column lists) and COPY TO STDOUT.
CREATE TABLE cp (id int PRIMARY KEY, name text, amount numeric(8, 2), seen boolean);
COPY cp FROM STDIN;
1	alpha	1.50	t
2	beta	\N	f
3	tab\there	0	\N
4	back\\slash	-2.25	true
\.
SELECT id, name, amount, seen FROM cp ORDER BY id;
COPY cp (id, name) FROM STDIN;
5	only name
6	\N
\.
SELECT id, name, amount FROM cp WHERE id > 4 ORDER BY id;
COPY cp FROM STDIN WITH (FORMAT csv, HEADER true);
id,name,amount,seen
7,"quoted, comma",7.00,t
8,"say ""hi""",8,f
9,,9,
\.
SELECT id, name, amount, seen FROM cp WHERE id > 6 ORDER BY id;
COPY cp (id, name) FROM STDIN WITH (DELIMITER '|', NULL 'nil');
10|ten
11|nil
\.
SELECT id, name IS NULL FROM cp WHERE id >= 10 ORDER BY id;
COPY cp FROM STDIN; -- error 23505
1	duplicate	0	t
\.
COPY cp FROM STDIN; -- error 22P02
12	bad number	abc	t
\.
COPY cp FROM STDIN; -- error 22P04
13	too few
\.
SELECT count(*) FROM cp;
COPY (SELECT id, name FROM cp WHERE id < 4 ORDER BY id) TO STDOUT;
COPY (SELECT id, amount FROM cp WHERE id IN (1, 2, 7) ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER true);
COPY cp (id, seen) TO STDOUT;
COPY nosuch FROM STDIN; -- error 42P01
\.
COPY cp (nosuch) FROM STDIN; -- error 42703
\.
BEGIN;
COPY cp (id, name) FROM STDIN;
20	in transaction
\.
ROLLBACK;
SELECT count(*) FROM cp WHERE id = 20;
DROP TABLE cp;
