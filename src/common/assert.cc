// The one place an assertion failure ends the process: message to stderr, then abort() so a
// core dump or the test harness captures the state.
#include "common/assert.h"

#include <cstdio>
#include <cstdlib>

namespace nordlys::internal {

void AssertFail(const char* condition, const char* file, int line, const char* func) {
  std::fprintf(stderr, "nordlys: assertion failed: %s at %s:%d in %s\n", condition, file, line,
               func);
  std::fflush(stderr);
  std::abort();
}

}  // namespace nordlys::internal
