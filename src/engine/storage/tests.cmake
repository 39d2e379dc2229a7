nordlys_test(engine_storage_test engine SOURCES storage/storage_test.cc)
include(${CMAKE_CURRENT_LIST_DIR}/btree_tests.cmake OPTIONAL)
nordlys_test(engine_gc_horizon_test engine SOURCES storage/gc_horizon_test.cc)
