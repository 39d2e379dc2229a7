-- String functions and operators.
SELECT length('hello'), char_length('héllo'), octet_length('héllo'), upper('abc'), lower('ABC');
SELECT 'abc' || 'def', 'n=' || 42, concat('a', NULL, 'b', 1), concat_ws('-', 'a', NULL, 'b');
SELECT 'abc' || NULL;
SELECT substring('abcdef' FROM 2 FOR 3), substring('abcdef', 3), substr('abcdef', 2, 2), substring('abc' FROM 5);
SELECT position('cd' IN 'abcdef'), strpos('abcdef', 'x'), left('abcdef', 2), right('abcdef', 2);
SELECT trim('  x  '), ltrim('  x  '), rtrim('  x  '), trim(BOTH 'x' FROM 'xxaxx'), btrim('xyx', 'x');
SELECT lpad('7', 3, '0'), rpad('ab', 5, '-'), lpad('abcdef', 3), repeat('ab', 3), reverse('abc');
SELECT replace('a-b-c', '-', '+'), translate('abc', 'ab', 'xy'), initcap('hello wORLD');
SELECT split_part('a,b,c', ',', 2), split_part('a,b,c', ',', 5), split_part('a,b,c', ',', -1);
SELECT string_to_array('a,b,,c', ','), array_to_string(ARRAY['x', NULL, 'z'], '|', '*');
SELECT starts_with('abcdef', 'abc'), 'abc' LIKE 'a%', 'abc' NOT ILIKE 'A_C';
SELECT md5('abc'), to_hex(255), ascii('A'), chr(66);
SELECT regexp_replace('a1b22c333', '[0-9]+', '#', 'g'), regexp_match('foo123bar', '[0-9]+');
SELECT 'abc' ~ 'b', 'abc' ~* 'B', 'abc' !~ 'z';
SELECT format('%s is %s', 'x', 1), format('%I.%L', 'My Table', 'it''s'), quote_literal('a''b');
SELECT quote_ident('select'), quote_ident('plain');
SELECT 'a' < 'b', 'abc' > 'abd', 'Z' < 'a', '' = '', 'a' = 'a ';
SELECT E'tab\there', E'line\\n', 'it''s', $$dollar 'quoted'$$;
SELECT left('abc', -1), right('abc', -1), repeat('x', 0), repeat('x', -1);
SELECT length(NULL::text), upper(NULL), NULL || 'x' IS NULL;
SELECT substring('abc' FROM 1 FOR -1); -- error 22011
SELECT chr(0); -- error 54000
SELECT repeat('x', 'y'); -- error 22P02
SELECT nosuchfunction('a'); -- error 42883
SELECT length(1, 2); -- error 42883
SELECT upper(); -- error 42883
SELECT 'abc'::text + 1; -- error 42883
SELECT encode('abc'::bytea, 'hex'), decode('616263', 'hex'), encode('hello', 'base64');
SELECT string_agg(x, '+' ORDER BY x) FROM (VALUES ('b'), ('a'), ('c')) v(x);
SELECT overlay('abcdef' PLACING 'XY' FROM 3 FOR 2), sha256('abc'::bytea);
SELECT repeat('ab', 600000000); -- error 54000
SELECT lpad('x', 300000000); -- error 54000
SELECT rpad('x', 300000000, ''), repeat('x', -3), length(repeat('xy', 100000)), length(lpad('x', 5000, 'ab'));
