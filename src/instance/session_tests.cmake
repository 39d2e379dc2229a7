# Session tests through libpq (and the pgbench binary when installed).
find_library(SESSION_PQ_LIB pq REQUIRED)
find_path(SESSION_PQ_INCLUDE libpq-fe.h PATH_SUFFIXES postgresql REQUIRED)
nordlys_test(instance_session_test instance SOURCES session_test.cc LIBS ${SESSION_PQ_LIB})
target_include_directories(instance_session_test PRIVATE ${SESSION_PQ_INCLUDE})
