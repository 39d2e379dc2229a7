# The SQL session over pgwire (session.h).
list(APPEND INSTANCE_SOURCES session.cc session_settings.cc statement_timer.cc)
