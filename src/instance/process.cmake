# The process that runs a writer: volume client, database, SQL backend, protocol server.
list(APPEND INSTANCE_SOURCES process.cc)
