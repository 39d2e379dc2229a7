-- SELECT ... FOR UPDATE / FOR SHARE in one session: rows, OF, joins, ORDER BY/LIMIT, errors.
CREATE TABLE jobs (id int PRIMARY KEY, state text, prio int);
CREATE TABLE owners (job_id int, who text);
INSERT INTO jobs VALUES (1, 'new', 3), (2, 'new', 1), (3, 'done', 2), (4, 'new', 5);
INSERT INTO owners VALUES (1, 'ann'), (2, 'bob'), (4, 'cid');
BEGIN;
SELECT id, state FROM jobs WHERE state = 'new' ORDER BY prio LIMIT 1 FOR UPDATE;
UPDATE jobs SET state = 'running' WHERE id = 2;
SELECT id, state FROM jobs WHERE id = 2 FOR UPDATE;
COMMIT;
SELECT j.id, o.who FROM jobs j JOIN owners o ON o.job_id = j.id WHERE j.state = 'new' ORDER BY j.id FOR UPDATE OF j;
SELECT j.id, o.who FROM jobs j, owners o WHERE o.job_id = j.id ORDER BY 1 FOR SHARE;
SELECT id FROM jobs WHERE prio > 1 ORDER BY id FOR NO KEY UPDATE;
SELECT id FROM jobs ORDER BY id DESC LIMIT 2 FOR KEY SHARE;
SELECT id, prio * 2 AS p FROM jobs WHERE id IN (SELECT job_id FROM owners) ORDER BY p FOR UPDATE;
SELECT count(*) FROM jobs FOR UPDATE; -- error 0A000
SELECT DISTINCT state FROM jobs FOR UPDATE; -- error 0A000
SELECT state FROM jobs GROUP BY state FOR SHARE; -- error 0A000
SELECT id FROM jobs FOR UPDATE OF nosuch; -- error 42P01
SELECT id FROM jobs UNION SELECT job_id FROM owners FOR UPDATE; -- error 0A000
DROP TABLE jobs, owners;
