# Storage inside the instance: buffer pool, mini-transactions, transactions, heap, B-tree.
list(APPEND ENGINE_SOURCES storage/buffer_pool.cc storage/mtr.cc storage/database.cc
  storage/txn.cc storage/heap.cc storage/gc_horizon.cc)
include(${CMAKE_CURRENT_LIST_DIR}/btree_sources.cmake OPTIONAL)
