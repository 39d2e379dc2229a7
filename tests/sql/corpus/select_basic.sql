-- SELECT without and with tables: constants, expressions, aliases, DISTINCT, VALUES, star.
SELECT 1;
SELECT 1 AS one, 'two' AS two, 3.0 AS three, NULL AS four;
SELECT 1 + 2 * 3, (1 + 2) * 3, 7 / 2, 7 % 3, -7 / 2, 2 ^ 10;
SELECT 7.0 / 2, 1.5 + 2.25, 10::float8 / 4;
SELECT 'a' || 'b' || 'c', true AND false, true OR NULL, NOT true;
SELECT;
SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, NULL)) AS v(n, s);
VALUES (1, 2), (3, 4);
CREATE TABLE people (id int PRIMARY KEY, name text, age int, city text);
INSERT INTO people VALUES (1, 'Ann', 31, 'Oslo'), (2, 'Bob', 25, 'Bergen'),
  (3, 'Cid', 31, 'Oslo'), (4, 'Dag', NULL, 'Tromso'), (5, 'Eva', 42, NULL);
SELECT * FROM people;
SELECT name, age FROM people;
SELECT p.name AS who, p.age + 1 AS next_age FROM people AS p;
SELECT people.id, people.name FROM people;
SELECT DISTINCT city FROM people;
SELECT DISTINCT age, city FROM people;
SELECT DISTINCT ON (city) city, name FROM people ORDER BY city, name;
SELECT name, age * 2 AS doubled, age IS NULL AS unknown_age FROM people;
SELECT count(*) FROM people;
SELECT nosuch FROM people; -- error 42703
SELECT * FROM nosuch_table; -- error 42P01
SELECT name FROM people p WHERE people.id = 1; -- error 42P01
SELECT id FROM people, (VALUES (1)) AS v(id); -- error 42702
SELECT 'literal', id FROM people WHERE id = 2;
SELECT id, CASE WHEN age >= 30 THEN 'older' WHEN age < 30 THEN 'younger' ELSE 'unknown' END AS band
  FROM people;
SELECT id, CASE city WHEN 'Oslo' THEN 1 WHEN 'Bergen' THEN 2 END FROM people;
SELECT COALESCE(age, -1), NULLIF(city, 'Oslo'), GREATEST(id, 3), LEAST(id, 3) FROM people;
SELECT 1 / 0; -- error 22012
SELECT 1.0 / 0; -- error 22012
SELECT 2147483647 + 1; -- error 22003
SELECT 9223372036854775807 + 1; -- error 22003
SELECT -2147483648 * -1; -- error 22003
SELECT abs(-5), mod(17, 5), power(2, 8), sqrt(16), round(2.567, 2), trunc(2.567, 1), ceil(1.2), floor(-1.2);
SELECT sign(-3), div(17, 5), 17 & 5, 17 | 5, 17 # 5, ~1, 1 << 4, 256 >> 2;
DROP TABLE people;
