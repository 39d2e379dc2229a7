-- Joins: inner, left, right, full, cross, USING, NATURAL, self joins, multi-way, ON conditions.
CREATE TABLE dept (id int PRIMARY KEY, name text);
CREATE TABLE emp (id int PRIMARY KEY, name text, dept_id int, boss int);
INSERT INTO dept VALUES (1, 'eng'), (2, 'ops'), (3, 'sales');
INSERT INTO emp VALUES (10, 'ann', 1, NULL), (11, 'bob', 1, 10), (12, 'cat', 2, 10),
  (13, 'dan', NULL, 11), (14, 'eve', 4, 12);
SELECT e.name, d.name FROM emp e JOIN dept d ON e.dept_id = d.id;
SELECT e.name, d.name FROM emp e INNER JOIN dept d ON d.id = e.dept_id AND d.name = 'eng';
SELECT e.name, d.name FROM emp e LEFT JOIN dept d ON e.dept_id = d.id;
SELECT e.name, d.name FROM emp e RIGHT JOIN dept d ON e.dept_id = d.id;
SELECT e.name, d.name FROM emp e FULL JOIN dept d ON e.dept_id = d.id;
SELECT e.name, d.name FROM emp e CROSS JOIN dept d WHERE d.id = 3;
SELECT count(*) FROM emp, dept;
SELECT e.name, d.name FROM emp e, dept d WHERE e.dept_id = d.id AND e.id > 10;
SELECT e.name AS worker, b.name AS boss FROM emp e LEFT JOIN emp b ON e.boss = b.id;
CREATE TABLE dept2 (dept_id int, floor int);
INSERT INTO dept2 VALUES (1, 3), (2, 1), (5, 9);
SELECT name, floor FROM emp JOIN dept2 USING (dept_id);
SELECT dept_id, name, floor FROM emp FULL JOIN dept2 USING (dept_id);
SELECT * FROM emp NATURAL JOIN dept2;
SELECT e.name, d.name, d2.floor FROM emp e JOIN dept d ON e.dept_id = d.id
  JOIN dept2 d2 ON d2.dept_id = d.id;
SELECT d.name, count(e.id) FROM dept d LEFT JOIN emp e ON e.dept_id = d.id GROUP BY d.name;
SELECT d.name FROM dept d LEFT JOIN emp e ON e.dept_id = d.id WHERE e.id IS NULL;
SELECT e.name, d.name FROM emp e LEFT JOIN dept d ON e.dept_id = d.id AND d.id > 1;
SELECT e.name, d.name FROM emp e JOIN dept d ON true WHERE e.id = 10;
SELECT a.id, b.id FROM emp a JOIN emp b ON a.id < b.id WHERE a.dept_id = b.dept_id;
SELECT e.name, x.total FROM emp e
  JOIN (SELECT dept_id, count(*) AS total FROM emp GROUP BY dept_id) x ON x.dept_id = e.dept_id;
SELECT e.name, l.n FROM emp e CROSS JOIN LATERAL (SELECT e.id * 2 AS n) l;
SELECT name FROM emp JOIN dept ON emp.dept_id = dept.id; -- error 42702
SELECT * FROM emp e JOIN dept d ON e.nosuch = d.id; -- error 42703
SELECT * FROM emp e JOIN dept d USING (nosuch); -- error 42703
SELECT * FROM emp e JOIN dept d ON e.name; -- error 42804
DROP TABLE emp, dept, dept2;
