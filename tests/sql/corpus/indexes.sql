-- Indexes: creation, uniqueness, multi-column, expression and partial indexes; lookups through
-- them must return what a scan returns.
CREATE TABLE ix (id int, k text, n int);
INSERT INTO ix SELECT g, 'k' || (g % 50), g % 7 FROM generate_series(1, 2000) AS g;
CREATE INDEX ix_k ON ix (k);
CREATE UNIQUE INDEX ix_id ON ix (id);
CREATE INDEX ix_kn ON ix (k, n);
CREATE INDEX ix_lower ON ix (lower(k));
CREATE INDEX ix_part ON ix (n) WHERE n = 3;
CREATE INDEX IF NOT EXISTS ix_k ON ix (k);
CREATE INDEX ix_k ON ix (n); -- error 42P07
CREATE INDEX ix_bad ON ix (nosuch); -- error 42703
CREATE INDEX ix_bad ON nosuch (a); -- error 42P01
SELECT count(*) FROM ix WHERE k = 'k7';
SELECT id FROM ix WHERE id = 1234;
SELECT id FROM ix WHERE id BETWEEN 100 AND 105;
SELECT count(*) FROM ix WHERE k = 'k7' AND n = 3;
SELECT count(*) FROM ix WHERE lower(k) = 'k49';
SELECT count(*) FROM ix WHERE n = 3;
SELECT id FROM ix WHERE id > 1995 ORDER BY id DESC;
SELECT id FROM ix WHERE k = 'k1' ORDER BY id LIMIT 3;
INSERT INTO ix VALUES (5, 'dup', 0); -- error 23505
CREATE UNIQUE INDEX ix_k_unique ON ix (k); -- error 23505
UPDATE ix SET k = 'changed' WHERE id <= 10;
SELECT count(*) FROM ix WHERE k = 'changed';
SELECT count(*) FROM ix WHERE k = 'k1';
DELETE FROM ix WHERE n = 3;
SELECT count(*) FROM ix WHERE n = 3;
SELECT count(*) FROM ix;
DROP INDEX ix_kn;
DROP INDEX ix_kn; -- error 42704
DROP INDEX IF EXISTS ix_kn;
REINDEX TABLE ix;
SELECT count(*) FROM ix WHERE k = 'k2';
DROP TABLE ix;
