# SQL engine tests on an in-memory volume (the session's tests through libpq are in src/instance).
nordlys_test(engine_sql_test engine SOURCES sql/sql_engine_test.cc)
