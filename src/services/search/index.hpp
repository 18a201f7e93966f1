// One search index, the parts that the files of services/search/ share (nothing outside them
// includes this): an SQLite FTS5 database of the events' text, and in memory each event's
// attributes (a Doc), postings by category, city, 1° cell and wall-clock day, interned strings,
// popularity counters, the vocabulary that typo tolerance looks words up in, and the
// suggestions with their event counts.
//
// Slots: an event's Doc lives at a slot of `docs`, and its FTS5 row has the slot as rowid, so a
// match is its Doc with no lookup. A removed event's slot is freed (its Doc marked dead) and
// reused by the next insert. Postings only grow: an entry whose slot was freed or reused is
// filtered out by checking the Doc, which every reader of postings does anyway; a rebuild
// starts them afresh.
//
// Interned strings: categories, cities, venue names and currencies repeat across events, so a
// Doc names each by a 16-bit id into a pool of its kind. A pool counts the Docs that use each
// string and frees a string that no Doc uses any more, so it holds no more strings than the
// indexed events have distinct values of its kind; the catalog bounds those (search_*_max in
// search.hpp), and the pool checks the bound (BOXOFFICE_CHECK) on every new string.
//
// Threads: mutated only by the indexer thread, under `mutex` held exclusively; read under it
// shared. Popularity counters are atomics, added to under the shared lock. The reader pool and
// the cache of document counts have mutexes of their own.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/catalog.hpp"
#include "core/check.hpp"
#include "core/search_query.hpp"
#include "services/search/search.hpp"

namespace boxoffice::search_detail {

// The reader connections that searches share, at most (each holds its own page cache).
inline constexpr std::size_t readers_max = 64;
// Rows of the suggestions table that suggest() ranks, at most.
inline constexpr std::size_t suggestion_candidates_max = 500;

// An event's attributes: what filters, facets and ranking read, about 100 bytes.
struct Doc {
  std::int64_t id = 0;
  std::int64_t venue_id = 0;
  std::uint16_t category = 0;  // ids in the Index's pools
  std::uint16_t city = 0;
  std::uint16_t currency = 0;
  std::uint16_t venue_name = 0;
  LocalMillis local_start = 0;
  UnixMillis starts_at = 0;
  UnixMillis on_sale_at = 0;
  std::int64_t min_price = 0;
  std::int64_t max_price = 0;
  double lat = 0;
  double lon = 0;
  std::uint32_t capacity = 0;
  std::uint32_t tokens = 0;  // the FTS5 row's tokens, all columns (BM25's document length)
  std::int32_t month = 0;    // year * 12 + month - 1 of the wall-clock start
  bool live = false;
};

struct Popularity {
  std::atomic<std::uint32_t> views{0};
  std::atomic<std::uint32_t> sold{0};
};

// The 1° cell of a point: the key of the geographic postings.
inline std::int32_t cell_of(double lat, double lon) {
  const auto la = static_cast<std::int32_t>(std::floor(lat)) + 90;
  const auto lo = static_cast<std::int32_t>(std::floor(lon)) + 180;
  return la * 360 + lo;
}

// The day of a wall-clock time, counted from 1970-01-01: the key of the day postings.
inline std::int32_t day_of(LocalMillis local) {
  return static_cast<std::int32_t>(local / millis_per_day - (local % millis_per_day < 0 ? 1 : 0));
}

// Strings of one kind that many Docs share, each kept once and named by a 16-bit id. A string
// lives while some Doc holds it (acquire/release) and its id is then reused, so at most
// `strings_max` strings are in use at once, which the catalog guarantees (search.hpp).
class StringPool {
 public:
  explicit StringPool(std::size_t strings_max);

  // The id of `text`, added if new; one more holder. Checks the bound.
  std::uint16_t acquire(const std::string& text);
  // One holder fewer; the string is freed when none is left.
  void release(std::uint16_t id);
  std::optional<std::uint16_t> find(const std::string& text) const;

  // The string of an id in use.
  const std::string& text(std::uint16_t id) const {
    BOXOFFICE_CHECK(id < holders_.size() && holders_[id] > 0);
    return texts_[id];
  }
  // The string folded (core/search_text.hpp); "" for an id not in use.
  const std::string& folded(std::uint16_t id) const {
    BOXOFFICE_CHECK(id < folded_.size());
    return folded_[id];
  }
  // Every id, in use or not, is below this.
  std::size_t ids() const { return texts_.size(); }

 private:
  std::size_t strings_max_;
  std::vector<std::string> texts_;  // by id
  std::vector<std::string> folded_;
  std::vector<std::uint32_t> holders_;  // 0: free
  std::vector<std::uint16_t> free_ids_;
  std::unordered_map<std::string, std::uint16_t> ids_;  // the strings in use
};

// A read-only connection with its prepared statements, taken from the pool for one query.
struct Reader {
  std::unique_ptr<SQLite::Database> db;
  // SELECT boxoffice_scan(events, ?2) ... MATCH ?1: raw, since SQLiteCpp can't bind a pointer.
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> scan{nullptr, &sqlite3_finalize};
  std::unique_ptr<SQLite::Statement> page;   // highlights of one matching row
  std::unique_ptr<SQLite::Statement> plain;  // the text of one row
  std::unique_ptr<SQLite::Statement> suggest;
};

// A row of the suggestions table: what it is and how many indexed events it belongs to.
struct SuggestionEntry {
  std::int64_t rowid = 0;
  SuggestionKind kind = SuggestionKind::event;
  std::uint32_t events = 0;
};

// What an event's suggestions need to be counted back when it leaves.
struct EventText {
  std::vector<std::string> performers;
  std::string name;
};

struct Index {
  // A fresh, empty index in a new file of `dir` (the temporary folder when empty).
  explicit Index(const std::filesystem::path& dir);
  ~Index();
  Index(const Index&) = delete;
  Index& operator=(const Index&) = delete;

  // Adds an event, or replaces it. Under `mutex` held exclusively, in a transaction of `writer`.
  void insert(const Event& event, const Venue& venue);
  // Removes an event's row and attributes, if it has them. Same conditions.
  void erase(std::int64_t id);

  // A reader connection: an idle one, else a new one while fewer than readers_max are open,
  // else waits for one to be given back.
  std::unique_ptr<Reader> take_reader() const;
  void give_back(std::unique_ptr<Reader> reader) const;

  std::filesystem::path file;
  std::unique_ptr<SQLite::Database> writer;

  mutable std::shared_mutex mutex;
  std::vector<Doc> docs;              // by slot
  std::deque<Popularity> popularity;  // by slot; a deque grows without moving its atomics
  std::unordered_map<std::int64_t, std::uint32_t> slot_of;  // by event id
  std::vector<std::uint32_t> free_slots;
  std::size_t live_docs = 0;
  StringPool categories{search_categories_max};
  StringPool cities{search_cities_max};
  StringPool venue_names{search_venue_names_max};
  StringPool currencies{search_currencies_max};
  std::unordered_map<std::uint16_t, std::vector<std::uint32_t>> by_category, by_city;
  std::unordered_map<std::int32_t, std::vector<std::uint32_t>> by_cell;
  std::unordered_map<std::int32_t, std::vector<std::uint32_t>> by_day;  // of the wall-clock start
  std::set<std::string, std::less<>> vocabulary;  // ordered: prefixes find their completions
  // Symmetric-delete index (SymSpell): every word with one byte deleted → the words. A typo of
  // one edit shares a deletion with the word meant, so candidates come from a few hash lookups.
  std::unordered_map<std::string, std::vector<std::string>> deletions;
  std::unordered_map<std::string, SuggestionEntry> suggestions;  // by text
  std::unordered_map<std::int64_t, EventText> texts;             // by event id

  // How many rows each phrase matches (BM25's IDF), as far as queries have asked: FTS5 counts
  // them by reading the phrase's whole doclist, ~10 ms for a word in half the catalog. Valid
  // until the next write (the indexer clears it under the exclusive lock); at most
  // document_counts_max phrases.
  static constexpr std::size_t document_counts_max = 100'000;
  mutable std::mutex document_counts_mutex;
  mutable std::unordered_map<std::string, std::int64_t> document_counts;

 private:
  Doc make_doc(const Event& event, const Venue& venue);  // acquires its strings
  void release_strings(const Doc& doc);
  std::uint32_t place(const Doc& doc);  // in a free slot or a new one, with its postings
  void add_row(std::uint32_t slot, const Event& event, const Venue& venue);
  void learn_words(const std::string& text);
  void count_suggestion(const std::string& text, SuggestionKind kind, int delta);
  void count_suggestions(const Doc& doc, const EventText& text, int delta);
  void remove_files() const;

  mutable std::mutex readers_mutex;
  mutable std::vector<std::unique_ptr<Reader>> idle_readers;
  mutable std::size_t readers_open = 0;
  mutable std::condition_variable reader_returned;
};

}  // namespace boxoffice::search_detail
