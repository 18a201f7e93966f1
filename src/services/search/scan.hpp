// One query's single pass over its candidates (scan.cpp explains it): filter, count into the
// total and the facets, rank, keep the best page.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "services/search/cursor.hpp"
#include "services/search/filters.hpp"
#include "services/search/index.hpp"
#include "services/search/narrowing.hpp"

namespace boxoffice::search_detail {

struct Hit {
  double score = 0;
  std::int64_t id = 0;
  std::uint32_t slot = 0;
  double relevance = 0;
};

// The order of results: score descending, then event id.
inline bool before(const Hit& a, const Hit& b) {
  return a.score > b.score || (a.score == b.score && a.id < b.id);
}

// One pass's state. Under the index's lock, shared, for its whole life.
struct Scan {
  static constexpr std::int32_t first_month = 1900 * 12;  // months counted in a flat array
  static constexpr std::int32_t months = 200 * 12;

  Scan(const Index& index, const Filters& filters, const Narrowed& narrowed, UnixMillis now,
       std::optional<Cursor> cursor, std::size_t keep);

  // Counts the slot if it passes the filters; says whether it did and whether it is sold out.
  bool admit(std::uint32_t slot, bool& sold_out);
  // Ranks an admitted slot and keeps it if it is among the best after the cursor.
  void offer(std::uint32_t slot, bool sold_out, double relevance);
  // The kept hits, best first; once.
  std::vector<Hit> ranked();
  // Matches by month (year * 12 + month - 1 of the wall-clock start), in order.
  std::map<std::int32_t, std::uint32_t> month_counts() const;
  // The current row's BM25 (higher is better), inside the FTS5 auxiliary function.
  int bm25(const Fts5ExtensionApi* api, Fts5Context* fts, std::uint32_t slot, double& relevance);

  const Index* index = nullptr;
  const Filters* filters = nullptr;
  const Narrowed* narrowed = nullptr;
  UnixMillis now = 0;
  std::optional<Cursor> cursor;
  std::size_t keep = 0;  // the page and one more, to know whether a next page exists
  std::size_t total = 0;
  std::vector<std::uint32_t> by_category, by_city;  // by string id
  std::vector<std::uint32_t> by_month = std::vector<std::uint32_t>(months);
  std::map<std::int32_t, std::uint32_t> by_other_month;  // before 1900 or after 2099
  std::vector<Hit> best;                                 // a heap whose top is the worst hit kept
  std::size_t after_cursor = 0;

  // BM25's statistics, set up at the query's first row.
  static constexpr std::array<double, 6> column_weights = {10.0, 10.0, 4.0, 2.0, 3.0, 1.0};
  bool bm25_ready = false;
  std::vector<std::string> phrases;  // of the match expression, in order: keys of the IDF cache
  double average_tokens = 1;
  std::vector<double> idf, frequency;

 private:
  int prepare_bm25(const Fts5ExtensionApi* api, Fts5Context* fts);
};

// Runs the pass over the rows that `expression` (FTS5 query syntax) matches, inside FTS5: one
// call of our auxiliary function per row, in rowid (slot) order. Answers SQLite's message when
// FTS5 fails, else nullopt.
std::optional<std::string> scan_matches(const Index& index, Scan& scan,
                                        const std::string& expression);
// Runs the pass over every slot that the narrowed set allows, in order, with relevance 1 (the
// boosts rank): queries without words.
void scan_slots(Scan& scan);
// Makes the auxiliary function known to a reader connection's FTS5 module.
void register_scan_function(SQLite::Database& db);

}  // namespace boxoffice::search_detail
