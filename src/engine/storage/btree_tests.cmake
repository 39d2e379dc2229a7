# Tests of the B-tree (on MemVolume) and of the key encoding (against operators.h's order).
nordlys_test(engine_btree_test engine SOURCES storage/btree_test.cc)
nordlys_test(engine_key_encoding_test engine SOURCES types/key_encoding_test.cc)
