// A query's single pass over what it matches, and the FTS5 auxiliary function that runs it.
//
// Every query, however broad, answers its page and exact totals and facets (counts by category,
// city and month over all matches) in one pass: each candidate, in slot order, is
//   1. tested against the narrowed set (narrowing.cpp) and the filters (filters.hpp), on the
//      Doc in memory;
//   2. counted, if it passes, into the total and the facets, in flat arrays by string id and
//      by month;
//   3. given its relevance: BM25 for a query with words, 1 without;
//   4. scored (relevance × boosts, core/search_rank.hpp) and kept if it ranks after the cursor
//      and among the best `keep` so far: a bounded heap whose top is the worst kept, so a
//      candidate costs O(log keep) at most and usually one comparison.
// Nothing is materialised per candidate.
//
// With words, the candidates are FTS5's matches, and the pass runs inside FTS5: the query is
// `SELECT boxoffice_scan(events, ?2) FROM events WHERE events MATCH ?1`, where boxoffice_scan
// is this file's auxiliary function and ?2 a pointer to the Scan (sqlite3_bind_pointer).
// SQLite calls it once per matching row, with the row's phrase instances at hand; the SELECT
// returns nothing worth reading.
//
// BM25 is FTS5's own definition (k1 = 1.2, b = 0.75, the IDF of each phrase over the whole
// table, Scan::column_weights) written out here for one reason: the built-in bm25() reads
// each row's length from the docsize table, a B-tree lookup per row, which was most of a broad
// query's time; here it comes from the Doc (Doc::tokens). It is computed only for rows that
// pass the filters. The IDF needs each phrase's count of matching rows, which FTS5 gets by
// reading the phrase's whole doclist (~10 ms for a word in half the catalog), so the counts are
// cached in the index until its next write.
#include "services/search/scan.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/search_rank.hpp"

namespace boxoffice::search_detail {
namespace {

constexpr const char* scan_pointer_type = "boxoffice_scan";

// The auxiliary function: boxoffice_scan(events, <the Scan>), called for each matching row.
void scan_row(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* context, int argc,
              sqlite3_value** argv) {
  auto* scan =
      argc == 1 ? static_cast<Scan*>(sqlite3_value_pointer(argv[0], scan_pointer_type)) : nullptr;
  if (scan == nullptr) {
    sqlite3_result_error(context, "boxoffice_scan(events, ?) takes a scan", -1);
    return;
  }
  const sqlite3_int64 rowid = api->xRowid(fts);
  if (rowid < 0 || rowid > UINT32_MAX) return;
  const auto slot = static_cast<std::uint32_t>(rowid);
  bool sold_out = false;
  if (!scan->admit(slot, sold_out)) return;
  double relevance = 0;
  if (const int rc = scan->bm25(api, fts, slot, relevance); rc != SQLITE_OK) {
    sqlite3_result_error_code(context, rc);
    return;
  }
  scan->offer(slot, sold_out, relevance);
}

}  // namespace

Scan::Scan(const Index& index_, const Filters& filters_, const Narrowed& narrowed_, UnixMillis now_,
           std::optional<Cursor> cursor_, std::size_t keep_)
    : index(&index_),
      filters(&filters_),
      narrowed(&narrowed_),
      now(now_),
      cursor(cursor_),
      keep(keep_),
      by_category(index_.categories.ids()),
      by_city(index_.cities.ids()) {
  best.reserve(keep + 1);
}

bool Scan::admit(std::uint32_t slot, bool& sold_out) {
  if (slot >= index->docs.size() || !narrowed->test(slot)) return false;
  const Doc& doc = index->docs[slot];
  sold_out = doc.capacity > 0 &&
             index->popularity[slot].sold.load(std::memory_order_relaxed) >= doc.capacity;
  if (!passes(doc, *filters, now, sold_out)) return false;
  ++total;
  ++by_category[doc.category];
  ++by_city[doc.city];
  const std::int32_t month = doc.month - first_month;
  if (month >= 0 && month < months) {
    ++by_month[static_cast<std::size_t>(month)];
  } else {
    ++by_other_month[doc.month];
  }
  return true;
}

void Scan::offer(std::uint32_t slot, bool sold_out, double relevance) {
  const Doc& doc = index->docs[slot];
  const Popularity& popularity = index->popularity[slot];
  const RankSignals signals{now,
                            doc.starts_at,
                            doc.on_sale_at,
                            sold_out,
                            popularity.views.load(std::memory_order_relaxed),
                            popularity.sold.load(std::memory_order_relaxed)};
  const Hit hit{relevance * rank_boost(signals), doc.id, slot, relevance};
  if (cursor && !before(Hit{cursor->score, cursor->id, 0, 0}, hit)) return;
  ++after_cursor;
  if (best.size() < keep) {
    best.push_back(hit);
    std::push_heap(best.begin(), best.end(), before);
  } else if (before(hit, best.front())) {
    std::pop_heap(best.begin(), best.end(), before);
    best.back() = hit;
    std::push_heap(best.begin(), best.end(), before);
  }
}

std::vector<Hit> Scan::ranked() {
  std::sort_heap(best.begin(), best.end(), before);
  return std::move(best);
}

std::map<std::int32_t, std::uint32_t> Scan::month_counts() const {
  std::map<std::int32_t, std::uint32_t> out = by_other_month;
  for (std::int32_t m = 0; m < months; ++m) {
    const std::uint32_t count = by_month[static_cast<std::size_t>(m)];
    if (count > 0) out[m + first_month] = count;
  }
  return out;
}

int Scan::prepare_bm25(const Fts5ExtensionApi* api, Fts5Context* fts) {
  sqlite3_int64 rows = 0, tokens = 0;
  int rc = api->xRowCount(fts, &rows);
  if (rc == SQLITE_OK) rc = api->xColumnTotalSize(fts, -1, &tokens);
  if (rc != SQLITE_OK) return rc;
  average_tokens = rows > 0 ? static_cast<double>(tokens) / static_cast<double>(rows) : 1.0;
  const int phrase_count = api->xPhraseCount(fts);
  idf.assign(static_cast<std::size_t>(std::max(phrase_count, 0)), 0.0);
  frequency.assign(idf.size(), 0.0);
  const bool cached = phrases.size() == static_cast<std::size_t>(phrase_count);
  for (int p = 0; p < phrase_count; ++p) {
    const std::string* phrase = cached ? &phrases[static_cast<std::size_t>(p)] : nullptr;
    sqlite3_int64 hits = -1;
    if (phrase != nullptr) {
      std::lock_guard lock(index->document_counts_mutex);
      const auto it = index->document_counts.find(*phrase);
      if (it != index->document_counts.end()) hits = it->second;
    }
    if (hits < 0) {
      hits = 0;
      rc = api->xQueryPhrase(fts, p, &hits, [](const Fts5ExtensionApi*, Fts5Context*, void* count) {
        ++*static_cast<sqlite3_int64*>(count);
        return SQLITE_OK;
      });
      if (rc != SQLITE_OK) return rc;
      if (phrase != nullptr) {
        std::lock_guard lock(index->document_counts_mutex);
        if (index->document_counts.size() >= Index::document_counts_max) {
          index->document_counts.clear();
        }
        index->document_counts[*phrase] = hits;
      }
    }
    const double value =
        std::log((static_cast<double>(rows - hits) + 0.5) / (static_cast<double>(hits) + 0.5));
    idf[static_cast<std::size_t>(p)] = value <= 0.0 ? 1e-6 : value;
  }
  bm25_ready = true;
  return SQLITE_OK;
}

int Scan::bm25(const Fts5ExtensionApi* api, Fts5Context* fts, std::uint32_t slot,
               double& relevance) {
  constexpr double k1 = 1.2, b = 0.75;
  int rc = bm25_ready ? SQLITE_OK : prepare_bm25(api, fts);
  std::fill(frequency.begin(), frequency.end(), 0.0);
  int instances = 0;
  if (rc == SQLITE_OK) rc = api->xInstCount(fts, &instances);
  for (int i = 0; rc == SQLITE_OK && i < instances; ++i) {
    int phrase = 0, column = 0, offset = 0;
    rc = api->xInst(fts, i, &phrase, &column, &offset);
    if (rc == SQLITE_OK && phrase >= 0 && static_cast<std::size_t>(phrase) < frequency.size()) {
      frequency[static_cast<std::size_t>(phrase)] +=
          column >= 0 && static_cast<std::size_t>(column) < column_weights.size()
              ? column_weights[static_cast<std::size_t>(column)]
              : 1.0;
    }
  }
  if (rc != SQLITE_OK) return rc;
  const double length = static_cast<double>(index->docs[slot].tokens);
  double score = 0;
  for (std::size_t p = 0; p < frequency.size(); ++p) {
    score += idf[p] * (frequency[p] * (k1 + 1.0)) /
             (frequency[p] + k1 * (1 - b + b * length / average_tokens));
  }
  relevance = score;
  return SQLITE_OK;
}

std::optional<std::string> scan_matches(const Index& index, Scan& scan,
                                        const std::string& expression) {
  auto reader = index.take_reader();
  sqlite3_stmt* statement = reader->scan.get();
  sqlite3_bind_text(statement, 1, expression.data(), static_cast<int>(expression.size()),
                    SQLITE_STATIC);
  sqlite3_bind_pointer(statement, 2, &scan, scan_pointer_type, nullptr);
  int rc = SQLITE_ROW;
  while (rc == SQLITE_ROW) rc = sqlite3_step(statement);
  std::optional<std::string> error;
  if (rc != SQLITE_DONE) error = sqlite3_errmsg(reader->db->getHandle());
  index.give_back(std::move(reader));
  return error;
}

void scan_slots(Scan& scan) {
  const Narrowed& narrowed = *scan.narrowed;
  const auto docs = static_cast<std::uint32_t>(scan.index->docs.size());
  for (std::uint32_t slot = 0; slot < docs; ++slot) {
    if (!narrowed.bits.empty() && narrowed.bits[slot / 64] == 0) {
      slot |= 63;  // a word of nothing
      continue;
    }
    bool sold_out = false;
    if (scan.admit(slot, sold_out)) scan.offer(slot, sold_out, 1.0);
  }
}

void register_scan_function(SQLite::Database& db) {
  fts5_api* api = nullptr;
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db.getHandle(), "SELECT fts5(?1)", -1, &statement, nullptr) == SQLITE_OK) {
    sqlite3_bind_pointer(statement, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
    sqlite3_step(statement);
  }
  sqlite3_finalize(statement);
  if (api == nullptr ||
      api->xCreateFunction(api, "boxoffice_scan", nullptr, &scan_row, nullptr) != SQLITE_OK) {
    throw std::runtime_error("search: FTS5 refused the scan function");
  }
}

}  // namespace boxoffice::search_detail
