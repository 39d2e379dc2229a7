# B-tree index access method and the order-preserving key encoding of SQL values it indexes.
list(APPEND ENGINE_SOURCES storage/btree.cc types/key_encoding.cc)
