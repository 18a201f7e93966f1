// The slots that may pass a query's filters, from the posting lists in memory, before the pass
// checks each candidate's Doc (narrowing.cpp says how the lists are chosen).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "services/search/filters.hpp"
#include "services/search/index.hpp"

namespace boxoffice::search_detail {

// A set of slots as a bitset; empty bits: no filter narrows, every slot may pass. A superset of
// the slots that pass (postings keep stale entries).
struct Narrowed {
  std::vector<std::uint64_t> bits;
  std::size_t count = 0;
  bool test(std::uint32_t slot) const {
    return bits.empty() || (slot / 64 < bits.size() && (bits[slot / 64] >> (slot % 64) & 1) != 0);
  }
};

// Under the index's lock, shared.
Narrowed narrow(const Index& index, const Filters& filters);

}  // namespace boxoffice::search_detail
