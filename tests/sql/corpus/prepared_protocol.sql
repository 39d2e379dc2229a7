-- sqldiff: protocol=prepared
-- Prepare (Parse + Describe statement) then Bind/Execute, as pgbench -M prepared does; here
-- with pgbench's own TPC-B transaction, values written in.
create table pgbench_accounts(aid    int not null,bid int,abalance int,filler char(84)) with (fillfactor=100);
create table pgbench_tellers(tid int not null,bid int,tbalance int,filler char(84)) with (fillfactor=100);
create table pgbench_branches(bid int not null,bbalance int,filler char(88)) with (fillfactor=100);
create table pgbench_history(tid int,bid int,aid    int,delta int,mtime timestamp,filler char(22));
insert into pgbench_branches(bid,bbalance) select bid, 0 from generate_series(1, 1) as bid;
insert into pgbench_tellers(tid,bid,tbalance) select tid, (tid - 1) / 10 + 1, 0 from generate_series(1, 10) as tid;
insert into pgbench_accounts(aid,bid,abalance,filler) select aid, (aid - 1) / 100000 + 1, 0, '' from generate_series(1, 1000) as aid;
alter table pgbench_branches add primary key (bid);
alter table pgbench_tellers add primary key (tid);
alter table pgbench_accounts add primary key (aid);
BEGIN;
UPDATE pgbench_accounts SET abalance = abalance + 77 WHERE aid = 500;
SELECT abalance FROM pgbench_accounts WHERE aid = 500;
UPDATE pgbench_tellers SET tbalance = tbalance + 77 WHERE tid = 4;
UPDATE pgbench_branches SET bbalance = bbalance + 77 WHERE bid = 1;
INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (4, 1, 500, 77, CURRENT_TIMESTAMP);
END;
SELECT abalance FROM pgbench_accounts WHERE aid = 500;
SELECT abalance FROM pgbench_accounts WHERE aid = 1001;
select (select sum(abalance) from pgbench_accounts), (select sum(tbalance) from pgbench_tellers), (select sum(bbalance) from pgbench_branches), (select sum(delta) from pgbench_history);
SELECT 1 / 0; -- error 22012
SELEC 1; -- error 42601
SELECT * FROM nosuch; -- error 42P01
drop table pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers;
