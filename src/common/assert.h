// Assertions. NORDLYS_ASSERT is always on, in every build, for safety invariants (LSN
// monotonicity, epoch fencing, quorum arithmetic, checksums): a database that continues past a
// broken invariant can lose acknowledged data, so it stops instead. NORDLYS_DCHECK is for costly
// checks and compiles away unless NORDLYS_DEBUG_CHECKS is defined.
//
// Never assert on user input: user input gets a Status.
#pragma once

namespace nordlys::internal {
[[noreturn]] void AssertFail(const char* condition, const char* file, int line, const char* func);
}  // namespace nordlys::internal

#define NORDLYS_ASSERT(cond)                                                         \
  do {                                                                               \
    if (__builtin_expect(!(cond), 0))                                                \
      ::nordlys::internal::AssertFail(#cond, __FILE__, __LINE__, __func__);          \
  } while (0)

#ifdef NORDLYS_DEBUG_CHECKS
#define NORDLYS_DCHECK(cond) NORDLYS_ASSERT(cond)
#else
#define NORDLYS_DCHECK(cond) \
  do {                       \
    (void)sizeof(cond);      \
  } while (0)
#endif
