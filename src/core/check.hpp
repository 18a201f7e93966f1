// Invariant checks that stay on in every build (TigerBeetle asserts in production; an
// invariant checked only in debug builds is checked nowhere it matters).
//
// BOXOFFICE_CHECK(condition) is for programmer errors only: a state the code promises can
// never happen. A failure names the file, line and condition on stderr and aborts, so the
// process restarts from its durable state instead of serving from a state it doesn't
// understand. Input that can be wrong (a body, a header, a store's answer) is never checked
// with it: that is an operating error, answered with a clear 4xx or handled (core/errors.hpp).
#pragma once

namespace boxoffice {

[[noreturn]] void check_failed(const char* condition, const char* file, int line) noexcept;

}  // namespace boxoffice

#define BOXOFFICE_CHECK(condition)                               \
  do {                                                           \
    if (!(condition)) [[unlikely]] {                             \
      ::boxoffice::check_failed(#condition, __FILE__, __LINE__); \
    }                                                            \
  } while (false)
