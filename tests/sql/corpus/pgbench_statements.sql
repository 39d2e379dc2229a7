-- What pgbench 15 sends: `pgbench -i` (client-side generation with COPY ... FREEZE, server-side
-- generation, primary and foreign keys, vacuum) and the TPC-B, simple-update and select-only
-- transactions with their variables substituted. Typed exactly as pgbench writes them.
drop table if exists pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers;
create table pgbench_history(tid int,bid int,aid    int,delta int,mtime timestamp,filler char(22));
create table pgbench_tellers(tid int not null,bid int,tbalance int,filler char(84)) with (fillfactor=100);
create table pgbench_accounts(aid    int not null,bid int,abalance int,filler char(84)) with (fillfactor=100);
create table pgbench_branches(bid int not null,bbalance int,filler char(88)) with (fillfactor=100);
begin;
truncate table pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers;
insert into pgbench_branches(bid,bbalance) values(1,0);
insert into pgbench_tellers(tid,bid,tbalance) values (1,1,0);
insert into pgbench_tellers(tid,bid,tbalance) values (2,1,0);
insert into pgbench_tellers(tid,bid,tbalance) values (3,1,0);
copy pgbench_accounts from stdin with (freeze on);
1	1	0	
2	1	0	
3	1	0	
4	1	0	
5	1	0	
6	1	0	
7	1	0	
8	1	0	
9	1	0	
10	1	0	
\.
commit;
vacuum analyze pgbench_branches;
vacuum analyze pgbench_tellers;
vacuum analyze pgbench_accounts;
vacuum analyze pgbench_history;
alter table pgbench_branches add primary key (bid);
alter table pgbench_tellers add primary key (tid);
alter table pgbench_accounts add primary key (aid);
select count(*) from pgbench_branches;
select o.n, p.partstrat, pg_catalog.count(i.inhparent) from pg_catalog.pg_class as c join pg_catalog.pg_namespace as n on (n.oid = c.relnamespace) cross join lateral (select pg_catalog.array_position(pg_catalog.current_schemas(true), n.nspname)) as o(n) left join pg_catalog.pg_partitioned_table as p on (p.partrelid = c.oid) left join pg_catalog.pg_inherits as i on (c.oid = i.inhparent) where c.relname = 'pgbench_accounts' and o.n is not null group by 1, 2 order by 1 asc limit 1;
vacuum pgbench_branches;
vacuum pgbench_tellers;
truncate pgbench_history;
BEGIN;
UPDATE pgbench_accounts SET abalance = abalance + -1234 WHERE aid = 7;
SELECT abalance FROM pgbench_accounts WHERE aid = 7;
UPDATE pgbench_tellers SET tbalance = tbalance + -1234 WHERE tid = 2;
UPDATE pgbench_branches SET bbalance = bbalance + -1234 WHERE bid = 1;
INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (2, 1, 7, -1234, CURRENT_TIMESTAMP);
END;
BEGIN;
UPDATE pgbench_accounts SET abalance = abalance + 4321 WHERE aid = 3;
SELECT abalance FROM pgbench_accounts WHERE aid = 3;
INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 1, 3, 4321, CURRENT_TIMESTAMP);
END;
SELECT abalance FROM pgbench_accounts WHERE aid = 5;
SELECT abalance FROM pgbench_accounts WHERE aid = 3;
BEGIN;
UPDATE pgbench_accounts SET abalance = abalance + 5000 WHERE aid = 9;
SELECT abalance FROM pgbench_accounts WHERE aid = 9;
UPDATE pgbench_tellers SET tbalance = tbalance + 5000 WHERE tid = 3;
UPDATE pgbench_branches SET bbalance = bbalance + 5000 WHERE bid = 1;
INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (3, 1, 9, 5000, CURRENT_TIMESTAMP);
END;
select sum(abalance) from pgbench_accounts;
select sum(tbalance) from pgbench_tellers;
select sum(bbalance) from pgbench_branches;
select sum(delta), count(*) from pgbench_history;
select aid, bid, abalance, filler from pgbench_accounts where aid in (3, 7) order by aid;
select count(*) from pgbench_history where mtime is not null and filler is null;
insert into pgbench_accounts(aid,bid,abalance,filler) values (1, 1, 0, ''); -- error 23505
alter table pgbench_tellers add constraint pgbench_tellers_bid_fkey foreign key (bid) references pgbench_branches;
alter table pgbench_accounts add constraint pgbench_accounts_bid_fkey foreign key (bid) references pgbench_branches;
alter table pgbench_history add constraint pgbench_history_bid_fkey foreign key (bid) references pgbench_branches;
alter table pgbench_history add constraint pgbench_history_tid_fkey foreign key (tid) references pgbench_tellers;
alter table pgbench_history add constraint pgbench_history_aid_fkey foreign key (aid) references pgbench_accounts;
drop table if exists pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers;
create table pgbench_history(tid int,bid int,aid    int,delta int,mtime timestamp,filler char(22));
create table pgbench_tellers(tid int not null,bid int,tbalance int,filler char(84)) with (fillfactor=100);
create table pgbench_accounts(aid    int not null,bid int,abalance int,filler char(84)) with (fillfactor=100);
create table pgbench_branches(bid int not null,bbalance int,filler char(88)) with (fillfactor=100);
begin;
truncate table pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers;
insert into pgbench_branches(bid,bbalance) select bid, 0 from generate_series(1, 2) as bid;
insert into pgbench_tellers(tid,bid,tbalance) select tid, (tid - 1) / 10 + 1, 0 from generate_series(1, 20) as tid;
insert into pgbench_accounts(aid,bid,abalance,filler) select aid, (aid - 1) / 100000 + 1, 0, '' from generate_series(1, 200000) as aid;
commit;
alter table pgbench_accounts add primary key (aid);
select bid, count(*), sum(abalance) from pgbench_accounts group by bid order by bid;
select bid, count(*) from pgbench_tellers group by bid order by bid;
drop table if exists pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers;
