-- FOREIGN KEY constraints: definition (column and table level, ALTER TABLE ADD), errors, enforcement, actions, DROP/TRUNCATE, catalogs.
CREATE TABLE fk_p (id int PRIMARY KEY, code text UNIQUE, a int, b int, UNIQUE (a, b));
INSERT INTO fk_p VALUES (1, 'one', 1, 1), (2, 'two', 1, 2), (3, 'three', 2, 1);
CREATE TABLE fk_c (id int PRIMARY KEY, p_id int REFERENCES fk_p, note text);
INSERT INTO fk_c VALUES (1, 1, 'x'), (2, NULL, 'null key');
INSERT INTO fk_c VALUES (3, 5, 'orphan'); -- error 23503
INSERT INTO fk_c VALUES (4, 2, 'ok'), (5, 6, 'bad'); -- error 23503
SELECT id, p_id FROM fk_c ORDER BY id;
UPDATE fk_c SET p_id = 9 WHERE id = 1; -- error 23503
UPDATE fk_c SET p_id = 3 WHERE id = 1;
DELETE FROM fk_p WHERE id = 3; -- error 23503
UPDATE fk_p SET id = 30 WHERE id = 3; -- error 23503
UPDATE fk_p SET code = 'THREE' WHERE id = 3;
DELETE FROM fk_p WHERE id = 2;
SELECT id FROM fk_p ORDER BY id;
-- NO ACTION passes when the key is still there at the end of the statement.
UPDATE fk_p SET id = CASE id WHEN 1 THEN 3 ELSE 1 END WHERE id IN (1, 3); -- error 23505
-- Constraint names, referenced columns, composite keys.
CREATE TABLE fk_c2 (x int, y int, code text REFERENCES fk_p (code), FOREIGN KEY (x, y) REFERENCES fk_p (a, b));
INSERT INTO fk_c2 VALUES (1, 1, 'one');
INSERT INTO fk_c2 VALUES (1, 3, NULL); -- error 23503
INSERT INTO fk_c2 VALUES (1, NULL, NULL);
INSERT INTO fk_c2 VALUES (9, NULL, 'nope'); -- error 23503
SELECT conname, contype::text, confupdtype::text, confdeltype::text, confmatchtype::text, conkey, confkey, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'fk_c2'::regclass ORDER BY conname;
-- Referenced key in another column order than the unique constraint's.
CREATE TABLE fk_c3 (x int, y int, CONSTRAINT fk_c3_ref FOREIGN KEY (y, x) REFERENCES fk_p (b, a));
INSERT INTO fk_c3 VALUES (1, 1);
INSERT INTO fk_c3 VALUES (2, 2); -- error 23503
-- Definition errors.
CREATE TABLE fk_bad1 (x int REFERENCES fk_p (nosuch)); -- error 42703
CREATE TABLE fk_bad2 (x int, FOREIGN KEY (nosuch) REFERENCES fk_p); -- error 42703
CREATE TABLE fk_bad3 (x int REFERENCES fk_p (a)); -- error 42830
CREATE TABLE fk_bad4 (x int, y int, FOREIGN KEY (x, y) REFERENCES fk_p); -- error 42830
CREATE TABLE fk_bad5 (x text REFERENCES fk_p); -- error 42804
CREATE TABLE fk_nopk (v int);
CREATE TABLE fk_bad6 (x int REFERENCES fk_nopk); -- error 42704
CREATE TABLE fk_bad7 (x int REFERENCES nosuch); -- error 42P01
CREATE TABLE fk_bad8 (x int, FOREIGN KEY (x) REFERENCES fk_p (id, id)); -- error 42830
CREATE TABLE fk_bad9 (x int REFERENCES fk_p MATCH PARTIAL); -- error 0A000
CREATE TABLE fk_okint (x bigint REFERENCES fk_p, y smallint REFERENCES fk_p);
INSERT INTO fk_okint VALUES (1, 3);
INSERT INTO fk_okint VALUES (5000000000, NULL); -- error 23503
CREATE TABLE fk_oknum (x numeric REFERENCES fk_p); -- error 42804
-- ALTER TABLE ADD FOREIGN KEY validates existing rows.
CREATE TABLE fk_later (id int, p_id int);
INSERT INTO fk_later VALUES (1, 1), (2, 7);
ALTER TABLE fk_later ADD FOREIGN KEY (p_id) REFERENCES fk_p; -- error 23503
DELETE FROM fk_later WHERE id = 2;
ALTER TABLE fk_later ADD CONSTRAINT fk_later_fk FOREIGN KEY (p_id) REFERENCES fk_p (id);
ALTER TABLE fk_later ADD CONSTRAINT fk_later_fk FOREIGN KEY (p_id) REFERENCES fk_p (id); -- error 42710
ALTER TABLE fk_later ADD FOREIGN KEY (p_id) REFERENCES fk_p;
SELECT conname FROM pg_constraint WHERE conrelid = 'fk_later'::regclass ORDER BY conname;
INSERT INTO fk_later VALUES (3, 8); -- error 23503
ALTER TABLE fk_later DROP CONSTRAINT fk_later_fk;
ALTER TABLE fk_later DROP CONSTRAINT fk_later_p_id_fkey;
INSERT INTO fk_later VALUES (3, 8);
-- ON DELETE CASCADE / SET NULL / SET DEFAULT, ON UPDATE CASCADE.
CREATE TABLE fk_parent (id int PRIMARY KEY, name text);
INSERT INTO fk_parent VALUES (1, 'a'), (2, 'b'), (3, 'fk_c'), (0, 'default');
CREATE TABLE fk_kids_cascade (id int PRIMARY KEY, pid int REFERENCES fk_parent ON DELETE CASCADE ON UPDATE CASCADE);
CREATE TABLE fk_kids_null (id int, pid int REFERENCES fk_parent ON DELETE SET NULL ON UPDATE SET NULL);
CREATE TABLE fk_kids_default (id int, pid int DEFAULT 0 REFERENCES fk_parent ON DELETE SET DEFAULT);
CREATE TABLE fk_kids_restrict (id int, pid int REFERENCES fk_parent ON DELETE RESTRICT ON UPDATE RESTRICT);
INSERT INTO fk_kids_cascade VALUES (1, 1), (2, 1), (3, 2);
INSERT INTO fk_kids_null VALUES (1, 1), (2, 2);
INSERT INTO fk_kids_default VALUES (1, 1), (2, 3);
INSERT INTO fk_kids_restrict VALUES (1, 3);
DELETE FROM fk_parent WHERE id = 1;
SELECT id, pid FROM fk_kids_cascade ORDER BY id;
SELECT id, pid FROM fk_kids_null ORDER BY id;
SELECT id, pid FROM fk_kids_default ORDER BY id;
UPDATE fk_parent SET id = 20 WHERE id = 2;
SELECT id, pid FROM fk_kids_cascade ORDER BY id;
SELECT id, pid FROM fk_kids_null ORDER BY id;
DELETE FROM fk_parent WHERE id = 3; -- error 23503
UPDATE fk_parent SET id = 30 WHERE id = 3; -- error 23503
DELETE FROM fk_kids_restrict;
DELETE FROM fk_parent WHERE id = 0; -- error 23503
DELETE FROM fk_parent WHERE id = 3;
SELECT id, pid FROM fk_kids_default ORDER BY id;
SELECT id, name FROM fk_parent ORDER BY id;
-- Cascades go on through more levels; a self-referencing table.
CREATE TABLE fk_tree (id int PRIMARY KEY, up int REFERENCES fk_tree ON DELETE CASCADE);
INSERT INTO fk_tree VALUES (1, NULL), (2, 1), (3, 2), (4, 3), (5, NULL);
INSERT INTO fk_tree VALUES (7, 6), (6, NULL);
INSERT INTO fk_tree VALUES (8, 9); -- error 23503
DELETE FROM fk_tree WHERE id = 2;
SELECT id, up FROM fk_tree ORDER BY id;
CREATE TABLE fk_grand (id int PRIMARY KEY, kid int REFERENCES fk_kids_cascade ON DELETE CASCADE);
INSERT INTO fk_grand VALUES (1, 3);
DELETE FROM fk_parent WHERE id = 20;
SELECT count(*) FROM fk_grand;
-- MATCH FULL.
CREATE TABLE fk_full_ref (x int, y int, FOREIGN KEY (x, y) REFERENCES fk_p (a, b) MATCH FULL);
INSERT INTO fk_full_ref VALUES (NULL, NULL);
INSERT INTO fk_full_ref VALUES (1, NULL); -- error 23503
INSERT INTO fk_full_ref VALUES (1, 1);
SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'fk_full_ref'::regclass;
-- DEFERRABLE is not built; NOT DEFERRABLE is what every constraint is.
CREATE TABLE fk_ndef (x int REFERENCES fk_p NOT DEFERRABLE INITIALLY IMMEDIATE);
-- DROP TABLE, TRUNCATE, DROP COLUMN, DROP CONSTRAINT of what a foreign key needs.
DROP TABLE fk_parent; -- error 2BP01
TRUNCATE fk_parent; -- error 0A000
TRUNCATE fk_parent, fk_kids_cascade, fk_kids_null, fk_kids_default, fk_kids_restrict, fk_grand;
ALTER TABLE fk_parent DROP COLUMN id; -- error 2BP01
ALTER TABLE fk_parent DROP CONSTRAINT fk_parent_pkey; -- error 2BP01
ALTER TABLE fk_p DROP COLUMN code CASCADE;
SELECT conname FROM pg_constraint WHERE conrelid = 'fk_c2'::regclass ORDER BY conname;
DROP TABLE fk_kids_null;
DROP TABLE fk_parent CASCADE;
SELECT conname FROM pg_constraint WHERE contype = 'f' AND conname LIKE 'fk\_%' ORDER BY conname;
INSERT INTO fk_kids_default VALUES (9, 99);
ALTER TABLE fk_c DROP COLUMN p_id;
SELECT conname FROM pg_constraint WHERE conrelid = 'fk_c'::regclass ORDER BY conname;
-- Catalog views.
SELECT constraint_name, table_name, constraint_type FROM information_schema.table_constraints WHERE constraint_type = 'FOREIGN KEY' AND table_name LIKE 'fk\_%' ORDER BY 1;
SELECT constraint_name, unique_constraint_name, match_option, update_rule, delete_rule FROM information_schema.referential_constraints WHERE constraint_name LIKE 'fk\_%' ORDER BY 1;
SELECT constraint_name, table_name, column_name, ordinal_position, position_in_unique_constraint FROM information_schema.key_column_usage WHERE constraint_name IN ('fk_c3_ref', 'fk_full_ref_x_y_fkey') ORDER BY 1, 4;
SELECT table_name, column_name, constraint_name FROM information_schema.constraint_column_usage WHERE constraint_name IN ('fk_c3_ref', 'fk_full_ref_x_y_fkey') ORDER BY 1, 2, 3;
SELECT conname, conrelid::regclass, confrelid::regclass, condeferrable, condeferred, convalidated, connoinherit, conindid::regclass FROM pg_constraint WHERE contype = 'f' AND conname LIKE 'fk\_%' ORDER BY conname;
-- psql's \d footers: "Foreign-key constraints:" and "Referenced by:".
SELECT true as sametable, conname, pg_catalog.pg_get_constraintdef(r.oid, true) as condef, conrelid::pg_catalog.regclass AS ontable FROM pg_catalog.pg_constraint r WHERE r.conrelid = 'fk_c2'::regclass AND r.contype = 'f' AND conparentid = 0 ORDER BY conname;
SELECT conname, conrelid::pg_catalog.regclass AS ontable, pg_catalog.pg_get_constraintdef(oid, true) AS condef FROM pg_catalog.pg_constraint c WHERE confrelid IN (SELECT pg_catalog.pg_partition_ancestors('fk_p'::regclass) UNION ALL VALUES ('fk_p'::pg_catalog.regclass)) AND contype = 'f' AND conparentid = 0 ORDER BY conname;
-- Transactional: a rolled-back ADD FOREIGN KEY leaves nothing behind.
BEGIN;
ALTER TABLE fk_later ADD CONSTRAINT fk_tx_fk FOREIGN KEY (id) REFERENCES fk_p;
ROLLBACK;
SELECT count(*) FROM pg_constraint WHERE conname = 'fk_tx_fk';
-- Rows inserted earlier in the same transaction count; a referenced row deleted in it does not.
BEGIN;
INSERT INTO fk_p VALUES (50, 5, 0);
INSERT INTO fk_c VALUES (50, 'new');
CREATE TABLE fk_c4 (id int REFERENCES fk_p);
INSERT INTO fk_c4 VALUES (50);
DELETE FROM fk_p WHERE id = 50; -- error 23503
ROLLBACK;
-- COPY checks too.
CREATE TABLE fk_c5 (id int REFERENCES fk_p);
COPY fk_c5 FROM STDIN;
1
\.
COPY fk_c5 FROM STDIN; -- error 23503
1
77
\.
SELECT count(*) FROM fk_c5;
-- What psql's \d reads besides pg_constraint: relhastriggers, and the (user) triggers it would list.
SELECT relname, relhastriggers FROM pg_class WHERE relname IN ('fk_p', 'fk_c2', 'fk_nopk') ORDER BY 1;
SELECT t.tgname, pg_catalog.pg_get_triggerdef(t.oid, true), t.tgenabled, t.tgisinternal, CASE WHEN t.tgparentid != 0 THEN (SELECT u.tgrelid::pg_catalog.regclass FROM pg_catalog.pg_trigger AS u, pg_catalog.pg_partition_ancestors(t.tgrelid) WITH ORDINALITY AS a(relid, depth) WHERE u.tgname = t.tgname AND u.tgrelid = a.relid AND u.tgparentid = 0 ORDER BY a.depth LIMIT 1) END AS parent FROM pg_catalog.pg_trigger t WHERE t.tgrelid = 'fk_c2'::regclass AND (NOT t.tgisinternal OR (t.tgisinternal AND t.tgenabled = 'D') OR EXISTS (SELECT 1 FROM pg_catalog.pg_depend WHERE objid = t.oid AND refclassid = 'pg_catalog.pg_trigger'::pg_catalog.regclass)) ORDER BY 1;
SELECT relid, ordinality FROM pg_partition_ancestors('fk_p') WITH ORDINALITY;
-- ADD COLUMN ... REFERENCES checks the rows as the new column's default fills them.
CREATE TABLE fk_addcol (id int);
INSERT INTO fk_addcol VALUES (1), (2);
ALTER TABLE fk_addcol ADD COLUMN r int DEFAULT 99 REFERENCES fk_p; -- error 23503
ALTER TABLE fk_addcol ADD COLUMN r int DEFAULT 1 REFERENCES fk_p;
SELECT id, r FROM fk_addcol ORDER BY id;
-- ON UPDATE CASCADE through a composite key, and a cascade that the referencing table's own CHECK rejects.
CREATE TABLE fk_cp (a int, b int, PRIMARY KEY (a, b));
INSERT INTO fk_cp VALUES (1, 1), (2, 2);
CREATE TABLE fk_cc (x int, y int CHECK (y < 10), FOREIGN KEY (x, y) REFERENCES fk_cp ON UPDATE CASCADE ON DELETE SET NULL);
INSERT INTO fk_cc VALUES (1, 1), (2, 2), (NULL, 2);
UPDATE fk_cp SET b = 5 WHERE a = 1;
UPDATE fk_cp SET b = 50 WHERE a = 2; -- error 23514
DELETE FROM fk_cp WHERE a = 1;
SELECT x, y FROM fk_cc ORDER BY x, y;
-- SET NULL into a NOT NULL column fails as the UPDATE it is.
CREATE TABLE fk_nn (pid int NOT NULL REFERENCES fk_cp (a, b) ON DELETE SET NULL); -- error 42830
CREATE TABLE fk_nn (a int NOT NULL, b int, FOREIGN KEY (a, b) REFERENCES fk_cp ON DELETE SET NULL);
INSERT INTO fk_nn VALUES (2, 2);
DELETE FROM fk_cp WHERE a = 2; -- error 23502
-- Self-reference: a row may reference itself; deleting it needs no cascade.
CREATE TABLE fk_self (id int PRIMARY KEY, up int REFERENCES fk_self);
INSERT INTO fk_self VALUES (1, 1), (2, 1);
DELETE FROM fk_self WHERE id = 1; -- error 23503
DELETE FROM fk_self;
SELECT count(*) FROM fk_self;
-- ON CONFLICT DO UPDATE changes a referencing row: checked.
CREATE TABLE fk_up (id int PRIMARY KEY, pid int REFERENCES fk_p);
INSERT INTO fk_up VALUES (1, 1);
INSERT INTO fk_up VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET pid = 42; -- error 23503
INSERT INTO fk_up VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET pid = NULL;
-- Referencing columns of other types: varchar to text, bigint to int.
CREATE TABLE fk_vc (code varchar(10) REFERENCES fk_p (code)); -- error 42703
CREATE TABLE fk_txt (k text PRIMARY KEY);
INSERT INTO fk_txt VALUES ('a');
CREATE TABLE fk_vc (code varchar(10) REFERENCES fk_txt);
INSERT INTO fk_vc VALUES ('a');
INSERT INTO fk_vc VALUES ('b'); -- error 23503
DELETE FROM fk_txt; -- error 23503
-- Leave nothing behind for the scripts after this one (Nordlys runs them all in one database).
DROP TABLE fk_c, fk_c2, fk_c3, fk_c5, fk_p, fk_nopk, fk_okint, fk_later, fk_kids_cascade, fk_kids_default, fk_kids_restrict, fk_tree, fk_grand, fk_full_ref, fk_ndef, fk_addcol, fk_cp, fk_cc, fk_nn, fk_self, fk_up, fk_txt, fk_vc;
SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conname LIKE 'fk\_%';
-- Not built yet (0A000 here, accepted by PostgreSQL): DEFERRABLE, NOT VALID, a column list for SET NULL.
CREATE TABLE fk_d (id int, id2 int, PRIMARY KEY (id, id2));
CREATE TABLE fk_def (x int, y int, FOREIGN KEY (x, y) REFERENCES fk_d DEFERRABLE INITIALLY DEFERRED);
CREATE TABLE fk_nv (x int, y int);
ALTER TABLE fk_nv ADD FOREIGN KEY (x, y) REFERENCES fk_d NOT VALID;
CREATE TABLE fk_setcols (x int, y int, FOREIGN KEY (x, y) REFERENCES fk_d ON DELETE SET NULL (x));
DROP TABLE IF EXISTS fk_def, fk_nv, fk_setcols, fk_d;
-- A plain unique index can be referenced; dropping it needs CASCADE, which takes the constraint.
CREATE TABLE fk_ui (id int);
CREATE UNIQUE INDEX fk_ui_idx ON fk_ui (id);
CREATE TABLE fk_uc (x int REFERENCES fk_ui (id));
SELECT constraint_name, unique_constraint_name FROM information_schema.referential_constraints WHERE constraint_name = 'fk_uc_x_fkey';
DROP INDEX fk_ui_idx; -- error 2BP01
DROP INDEX fk_ui_idx CASCADE;
SELECT count(*) FROM pg_constraint WHERE conname = 'fk_uc_x_fkey';
CREATE TABLE fk_si (id int, up int);
CREATE UNIQUE INDEX fk_si_idx ON fk_si (id);
ALTER TABLE fk_si ADD FOREIGN KEY (up) REFERENCES fk_si (id);
INSERT INTO fk_si VALUES (1, 5); -- error 23503
DROP INDEX fk_si_idx CASCADE;
SELECT conname FROM pg_constraint WHERE conrelid = 'fk_si'::regclass;
INSERT INTO fk_si VALUES (1, 5);
DROP TABLE fk_ui, fk_uc, fk_si;
-- NOT VALID: existing rows stay unchecked until VALIDATE CONSTRAINT; new rows are checked.
CREATE TABLE fk_vp (id int PRIMARY KEY);
INSERT INTO fk_vp VALUES (1);
CREATE TABLE fk_vr (x int);
INSERT INTO fk_vr VALUES (1), (7);
ALTER TABLE fk_vr ADD CONSTRAINT fk_vr_x FOREIGN KEY (x) REFERENCES fk_vp NOT VALID;
SELECT conname, convalidated, pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'fk_vr_x';
INSERT INTO fk_vr VALUES (8); -- error 23503
ALTER TABLE fk_vr VALIDATE CONSTRAINT fk_vr_x; -- error 23503
ALTER TABLE fk_vr VALIDATE CONSTRAINT nosuch; -- error 42704
DELETE FROM fk_vr WHERE x = 7;
ALTER TABLE fk_vr VALIDATE CONSTRAINT fk_vr_x;
SELECT conname, convalidated, pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'fk_vr_x';
CREATE TABLE fk_vc2 (x int REFERENCES fk_vp, FOREIGN KEY (x) REFERENCES fk_vp NOT VALID);
SELECT conname, convalidated FROM pg_constraint WHERE conrelid = 'fk_vc2'::regclass ORDER BY conname;
DROP TABLE fk_vr, fk_vc2, fk_vp;
-- ON DELETE SET NULL / SET DEFAULT (columns) sets only those referencing columns.
CREATE TABLE fk_tp (tenant int, id int, PRIMARY KEY (tenant, id));
INSERT INTO fk_tp VALUES (1, 1), (1, 2), (1, 0);
CREATE TABLE fk_tc (tenant int, pid int DEFAULT 0, FOREIGN KEY (tenant, pid) REFERENCES fk_tp ON DELETE SET NULL (pid));
CREATE TABLE fk_td (tenant int, pid int DEFAULT 0, FOREIGN KEY (tenant, pid) REFERENCES fk_tp ON DELETE SET DEFAULT (pid));
CREATE TABLE fk_tbad (tenant int, pid int, other int, FOREIGN KEY (tenant, pid) REFERENCES fk_tp ON DELETE SET NULL (other)); -- error 42P10
INSERT INTO fk_tc VALUES (1, 1), (1, 2);
INSERT INTO fk_td VALUES (1, 1), (1, 2);
DELETE FROM fk_tp WHERE id = 1;
SELECT tenant, pid FROM fk_tc ORDER BY pid;
SELECT tenant, pid FROM fk_td ORDER BY pid;
SELECT conname, confdelsetcols, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid IN ('fk_tc'::regclass, 'fk_td'::regclass) ORDER BY conname;
DROP TABLE fk_tc, fk_td, fk_tp;
