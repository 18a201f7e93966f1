#include "core/check.hpp"

#include <cstdio>
#include <cstdlib>

namespace boxoffice {

// Written with stdio, not the logger: core/ has no I/O of its own, and an abort must not
// depend on anything that might itself be broken.
void check_failed(const char* condition, const char* file, int line) noexcept {
  std::fprintf(stderr, "boxoffice: invariant broken at %s:%d: %s\n", file, line, condition);
  std::fflush(stderr);
  std::abort();
}

}  // namespace boxoffice
