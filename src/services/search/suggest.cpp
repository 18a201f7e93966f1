// SearchService::suggest(): type-ahead over performers, event names, venues and cities.
//
// The index keeps each such text once, in an FTS5 table of its own with prefix indexes of 1 to
// 4 characters, and counts in memory how many indexed events it belongs to (index.cpp keeps
// the counts as events come and go; a text at zero leaves the table). What was typed becomes
// an FTS5 query where every word must match and the last is a prefix; of the first
// suggestion_candidates_max rows it finds, the `limit` with most events are answered, ties by
// text. The candidates are cut in the table's order, not by events: a prefix matching more
// than that many texts is a prefix too short to suggest well anyway.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/search_text.hpp"
#include "services/search/index.hpp"
#include "services/search/search.hpp"
#include "services/search/stats.hpp"

namespace boxoffice {

Suggestions SearchService::suggest(std::string_view prefix, std::size_t limit) const {
  stats_->suggestions.add();
  limit = std::clamp<std::size_t>(limit, 1, suggest_limit_max);
  std::vector<std::string> words =
      split_words(fold_text(prefix.substr(0, std::min(prefix.size(), search_query_bytes_max))));
  if (words.size() > search_query_words_max) words.resize(search_query_words_max);
  Suggestions out;
  if (words.empty()) return out;
  std::string expression;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) expression += " AND ";
    expression += "\"" + words[i] + "\"";
    if (i + 1 == words.size()) expression += "*";
  }
  const auto index = current();
  std::shared_lock lock(index->mutex);
  std::vector<const std::pair<const std::string, search_detail::SuggestionEntry>*> found;
  auto reader = index->take_reader();
  try {
    reader->suggest->bind(1, expression);
    while (reader->suggest->executeStep()) {
      const auto it = index->suggestions.find(reader->suggest->getColumn(0).getString());
      if (it != index->suggestions.end()) found.push_back(&*it);
    }
  } catch (const SQLite::Exception& e) {
    spdlog::warn("suggest: {}", e.what());
  }
  index->give_back(std::move(reader));
  const std::size_t n = std::min(limit, found.size());
  std::partial_sort(found.begin(), found.begin() + static_cast<std::ptrdiff_t>(n), found.end(),
                    [](const auto* a, const auto* b) {
                      return a->second.events > b->second.events ||
                             (a->second.events == b->second.events && a->first < b->first);
                    });
  for (std::size_t i = 0; i < n; ++i) {
    out.suggestions.push_back({found[i]->first, found[i]->second.kind, found[i]->second.events});
  }
  return out;
}

}  // namespace boxoffice
