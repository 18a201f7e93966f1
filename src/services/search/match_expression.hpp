// The FTS5 query for a search's words, with typo tolerance and type-ahead
// (match_expression.cpp).
#pragma once

#include <string>
#include <vector>

#include "services/search/index.hpp"

namespace boxoffice::search_detail {

struct MatchExpression {
  std::string text;                    // FTS5 query syntax; empty when some word can match nothing
  std::vector<std::string> phrases;    // of `text`, in FTS5's order ("live", "love*")
  std::vector<std::string> corrected;  // indexed words let in as corrections of typed ones
};

// Every word must match, as itself or as an indexed word a typo or two away; the last also as a
// prefix when `prefix_last` (the asker is still typing it). `words` are folded. Under the
// index's lock, shared.
MatchExpression match_expression(const Index& index, const std::vector<std::string>& words,
                                 bool prefix_last);

}  // namespace boxoffice::search_detail
