-- UPDATE ... FROM, DELETE ... USING and multiple-column SET: joins, several matches, RETURNING, errors.
CREATE TABLE stock (sku int PRIMARY KEY, qty int NOT NULL, note text);
CREATE TABLE moves (sku int, delta int);
CREATE TABLE skus (sku int, label text);
INSERT INTO stock VALUES (1, 10, 'a'), (2, 20, 'b'), (3, 30, 'c'), (4, 40, 'd');
INSERT INTO moves VALUES (1, -3), (2, 5), (2, 7), (9, 100);
INSERT INTO skus VALUES (1, 'one'), (2, 'two'), (3, 'three');
UPDATE stock SET qty = qty + m.delta FROM moves m WHERE m.sku = stock.sku AND m.delta < 0;
SELECT sku, qty FROM stock ORDER BY sku;
UPDATE stock s SET note = k.label FROM skus k WHERE k.sku = s.sku AND s.sku > 1 RETURNING s.sku, s.note, k.label;
UPDATE stock SET qty = 0 FROM moves WHERE moves.sku = stock.sku AND moves.sku = 2;
SELECT sku, qty, note FROM stock ORDER BY sku;
UPDATE stock SET qty = stock.qty + 1 FROM moves m, skus k WHERE m.sku = stock.sku AND k.sku = m.sku RETURNING stock.*, k.label;
UPDATE stock SET (qty, note) = (qty * 2, note || '!') WHERE sku = 3 RETURNING sku, qty, note;
UPDATE stock SET (qty, note) = (1) WHERE sku = 3; -- error 0A000
UPDATE stock SET (qty, note) = (1, 'x', 2) WHERE sku = 3; -- error 42601
UPDATE stock SET qty = x.q FROM (SELECT sku, sum(delta) AS q FROM moves GROUP BY sku) x WHERE x.sku = stock.sku;
SELECT sku, qty, note FROM stock ORDER BY sku;
UPDATE stock SET qty = 1 FROM stock WHERE true; -- error 42712
UPDATE stock SET qty = m.nosuch FROM moves m WHERE m.sku = stock.sku; -- error 42703
DELETE FROM stock USING moves m, skus k WHERE m.sku = stock.sku AND k.sku = stock.sku AND k.label = 'two' RETURNING stock.sku, k.label;
DELETE FROM stock s USING skus k WHERE k.sku = s.sku AND k.label LIKE 't%' RETURNING *;
SELECT sku, qty, note FROM stock ORDER BY sku;
DELETE FROM stock USING moves WHERE moves.sku = 42;
DROP TABLE stock, moves, skus;
