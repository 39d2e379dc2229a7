-- INSERT: VALUES lists, column lists, defaults, INSERT ... SELECT, RETURNING, ON CONFLICT.
CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, qty int DEFAULT 1, price numeric(8, 2));
INSERT INTO items VALUES (1, 'apple', 3, 0.50);
INSERT INTO items (id, name) VALUES (2, 'pear');
INSERT INTO items (name, id, price) VALUES ('plum', 3, 1.25), ('fig', 4, 2);
INSERT INTO items VALUES (5, 'kiwi', DEFAULT, NULL);
SELECT id, name, qty, price FROM items ORDER BY id;
INSERT INTO items (id, name) VALUES (6, 'lime') RETURNING id, name, qty;
INSERT INTO items (id, name, qty) VALUES (7, 'date', 2), (8, 'nut', 9) RETURNING *;
INSERT INTO items (id, name, price) VALUES (9, 'melon', 3.456) RETURNING price, price * 2 AS double_price;
INSERT INTO items VALUES (1, 'dup'); -- error 23505
INSERT INTO items (id) VALUES (10); -- error 23502
INSERT INTO items (id, name, qty) VALUES (11, 'x', 'many'); -- error 22P02
INSERT INTO items (id, name, nosuch) VALUES (12, 'y', 1); -- error 42703
INSERT INTO items VALUES (13, 'z', 1, 1, 1); -- error 42601
INSERT INTO items (id, name) VALUES (14); -- error 42601
INSERT INTO items (id, name, price) VALUES (15, 'big', 1234567.89); -- error 22003
INSERT INTO items (id, name) VALUES (1, 'apple2') ON CONFLICT DO NOTHING;
INSERT INTO items (id, name) VALUES (1, 'apple2') ON CONFLICT (id) DO NOTHING RETURNING id;
INSERT INTO items (id, name, qty) VALUES (1, 'apple', 10)
  ON CONFLICT (id) DO UPDATE SET qty = items.qty + EXCLUDED.qty;
SELECT id, name, qty FROM items WHERE id = 1;
INSERT INTO items (id, name, qty) VALUES (2, 'pear', 5), (20, 'grape', 5)
  ON CONFLICT (id) DO UPDATE SET qty = EXCLUDED.qty * 2 RETURNING id, qty;
CREATE TABLE items_copy (id int, name text, qty int);
INSERT INTO items_copy SELECT id, name, qty FROM items WHERE qty > 1;
INSERT INTO items_copy (id, name) SELECT id + 100, upper(name) FROM items WHERE id < 3;
SELECT id, name, qty FROM items_copy ORDER BY id;
INSERT INTO items_copy SELECT g, 'gen' || g, g * g FROM generate_series(1, 5) AS g;
SELECT count(*), sum(qty) FROM items_copy WHERE name LIKE 'gen%';
INSERT INTO items_copy (id, name) VALUES (-1, 'neg'), (0, 'zero');
SELECT count(*) FROM items_copy;
INSERT INTO items_copy VALUES ('7', 'seven', '49');
INSERT INTO items_copy VALUES (1.6, 'rounded', 2.5);
SELECT id, qty FROM items_copy WHERE name IN ('seven', 'rounded') ORDER BY id;
INSERT INTO items_copy (id, name, qty) VALUES (2147483648, 'overflow', 1); -- error 22003
DROP TABLE items, items_copy;
