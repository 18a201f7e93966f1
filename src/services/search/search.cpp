#include "services/search/search.hpp"

#include "core/check.hpp"
#include "core/search_rank.hpp"
#include "core/search_text.hpp"
#include "services/clock.hpp"
#include "services/metrics.hpp"
#include "services/time_zones.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <date/date.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <cstring>
#include <set>
#include <shared_mutex>
#include <stdexcept>
#include <unordered_map>

namespace boxoffice {
namespace {

// Column weights of BM25, in the order of the FTS5 table's columns.
constexpr std::string_view fts_schema =
    "CREATE VIRTUAL TABLE events USING fts5(name, performers, venue, city, tags, description, "
    "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4');"
    "CREATE VIRTUAL TABLE suggestions USING fts5(text, "
    "tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3 4');";
constexpr std::string_view bm25_call = "bm25(events, 10.0, 10.0, 4.0, 2.0, 3.0, 1.0)";
constexpr std::size_t readers_max = 64;
constexpr std::size_t suggestion_candidates_max = 500;

constexpr std::uint32_t no_slot = UINT32_MAX;

struct Doc {
  std::int64_t id = 0;
  std::int64_t venue_id = 0;
  std::uint16_t category = 0;  // interned
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

std::int32_t cell_of(double lat, double lon) {
  const auto la = static_cast<std::int32_t>(std::floor(lat)) + 90;
  const auto lo = static_cast<std::int32_t>(std::floor(lon)) + 180;
  return la * 360 + lo;
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

std::int32_t month_of(LocalMillis local) {
  const date::year_month_day day{date::floor<date::days>(
      date::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(local)))};
  return static_cast<std::int32_t>(static_cast<int>(day.year())) * 12 +
         static_cast<std::int32_t>(static_cast<unsigned>(day.month())) - 1;
}

std::int32_t day_of(LocalMillis local) {
  return static_cast<std::int32_t>(local / millis_per_day - (local % millis_per_day < 0 ? 1 : 0));
}

std::string month_label(std::int32_t month) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d", month / 12, month % 12 + 1);
  return text;
}

std::filesystem::path fresh_file(const std::filesystem::path& dir) {
  static std::atomic<std::uint64_t> counter = 0;
  const std::filesystem::path folder = dir.empty() ? std::filesystem::temp_directory_path() : dir;
  return folder / ("boxoffice-search-" + std::to_string(::getpid()) + "-" +
                   std::to_string(counter.fetch_add(1)) + ".sqlite");
}

// The FTS5 auxiliary function `boxoffice_scan(events, ?)`, defined with the search below.
void scan_row(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* context, int argc,
              sqlite3_value** argv);

// Makes boxoffice_scan() known to a connection's FTS5 module.
void register_scan(SQLite::Database& db) {
  fts5_api* api = nullptr;
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db.getHandle(), "SELECT fts5(?1)", -1, &statement, nullptr) == SQLITE_OK) {
    sqlite3_bind_pointer(statement, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
    sqlite3_step(statement);
  }
  sqlite3_finalize(statement);
  if (api == nullptr || api->xCreateFunction(api, "boxoffice_scan", nullptr, &scan_row, nullptr) != SQLITE_OK) {
    throw std::runtime_error("search: FTS5 refused the scan function");
  }
}

// The sum of the varints (SQLite's format) in an FTS5 docsize record: the row's tokens.
std::uint32_t total_tokens(const void* blob, int bytes) {
  const auto* p = static_cast<const unsigned char*>(blob);
  const auto* end = p + std::max(bytes, 0);
  std::uint64_t total = 0;
  while (p < end) {
    std::uint64_t value = 0;
    for (int i = 0; p < end; ++i) {
      const unsigned char byte = *p++;
      if (i == 8) {
        value = (value << 8) | byte;
        break;
      }
      value = (value << 7) | (byte & 0x7f);
      if ((byte & 0x80) == 0) break;
    }
    total += value;
  }
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(total, UINT32_MAX));
}

void tune(SQLite::Database& db) {
  db.exec("PRAGMA mmap_size = 17179869184");  // read through the page cache, shared by all
  db.exec("PRAGMA cache_size = -65536");      // 64 MiB
  db.exec("PRAGMA temp_store = MEMORY");
}

}  // namespace

struct SearchService::Stats {
  Histogram lag;
  Counter applied;
  Counter rebuilds;
  Counter queries;
  Counter suggestions;
  std::atomic<std::int64_t> last_lag_ms = 0;
};

// One index: the FTS database and the attributes in memory. Mutated only by the indexer
// thread, under `mutex` held exclusively; read under it shared.
struct SearchService::Index {
  struct Reader {
    std::unique_ptr<SQLite::Database> db;
    // SELECT boxoffice_scan(events, ?2) ... MATCH ?1: raw, since SQLiteCpp can't bind a pointer.
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> scan{nullptr, &sqlite3_finalize};
    std::unique_ptr<SQLite::Statement> page;     // highlights of one matching row
    std::unique_ptr<SQLite::Statement> plain;    // the text of one row
    std::unique_ptr<SQLite::Statement> suggest;
  };
  struct Suggestion {
    std::int64_t rowid = 0;
    SuggestionKind kind = SuggestionKind::event;
    std::uint32_t events = 0;
  };

  std::filesystem::path file;
  std::unique_ptr<SQLite::Database> writer;
  mutable std::mutex readers_mutex;
  mutable std::vector<std::unique_ptr<Reader>> idle_readers;
  mutable std::size_t readers_open = 0;
  mutable std::condition_variable reader_returned;

  mutable std::shared_mutex mutex;
  std::vector<Doc> docs;
  std::deque<Popularity> popularity;  // by slot; a deque grows without moving its atomics
  std::unordered_map<std::int64_t, std::uint32_t> slot_of;
  std::vector<std::uint32_t> free_slots;
  // How many rows each phrase matches (BM25's IDF), as far as queries have asked: FTS5 counts
  // them by reading the phrase's whole doclist, ~10 ms for a word in half the catalog. Valid
  // until the next write (apply() clears it under the exclusive lock); at most
  // document_counts_max phrases.
  static constexpr std::size_t document_counts_max = 100'000;
  mutable std::mutex document_counts_mutex;
  mutable std::unordered_map<std::string, std::int64_t> document_counts;
  std::size_t live_docs = 0;
  std::vector<std::string> strings;         // interned: categories, cities, currencies, venues
  std::vector<std::string> folded_strings;  // the same, folded
  std::unordered_map<std::string, std::uint16_t> string_ids;
  std::unordered_map<std::uint16_t, std::vector<std::uint32_t>> by_category, by_city;
  std::unordered_map<std::int32_t, std::vector<std::uint32_t>> by_cell;
  std::unordered_map<std::int32_t, std::vector<std::uint32_t>> by_day;  // wall-clock day of the start
  std::set<std::string, std::less<>> vocabulary;  // ordered: prefixes find their completions
  // Symmetric-delete index (SymSpell): every word with one byte deleted → the words. A typo of
  // one edit shares a deletion with the word meant, so candidates come from a few hash lookups.
  std::unordered_map<std::string, std::vector<std::string>> deletions;
  std::unordered_map<std::string, Suggestion> suggestions;  // by text

  explicit Index(const std::filesystem::path& dir) : file(fresh_file(dir)) {
    remove_files();  // left by a process that had our pid and was killed: derived data
    writer = std::make_unique<SQLite::Database>(file.string(),
                                                SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    writer->exec("PRAGMA journal_mode = WAL");
    writer->exec("PRAGMA synchronous = OFF");  // derived data: rebuilt at start anyway
    tune(*writer);
    writer->exec(std::string(fts_schema));
  }
  ~Index() {
    idle_readers.clear();
    writer.reset();
    remove_files();
  }

  void remove_files() const {
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(file.string() + suffix, ignored);
    }
  }

  std::uint16_t intern(const std::string& text) {
    const auto [it, added] = string_ids.emplace(text, static_cast<std::uint16_t>(strings.size()));
    if (added) {
      BOXOFFICE_CHECK(strings.size() < UINT16_MAX);
      strings.push_back(text);
      folded_strings.push_back(fold_text(text));
    }
    return it->second;
  }

  std::unique_ptr<Reader> take_reader() const {
    std::unique_lock lock(readers_mutex);
    for (;;) {
      if (!idle_readers.empty()) {
        auto reader = std::move(idle_readers.back());
        idle_readers.pop_back();
        return reader;
      }
      if (readers_open < readers_max) break;
      reader_returned.wait(lock);
    }
    ++readers_open;
    lock.unlock();
    auto reader = std::make_unique<Reader>();
    reader->db = std::make_unique<SQLite::Database>(file.string(), SQLite::OPEN_READONLY);
    tune(*reader->db);
    register_scan(*reader->db);
    sqlite3_stmt* scan = nullptr;
    const std::string_view scan_sql =
        "SELECT boxoffice_scan(events, ?2) FROM events WHERE events MATCH ?1";
    if (sqlite3_prepare_v3(reader->db->getHandle(), scan_sql.data(), static_cast<int>(scan_sql.size()),
                           SQLITE_PREPARE_PERSISTENT, &scan, nullptr) != SQLITE_OK) {
      throw SQLite::Exception(reader->db->getHandle(), sqlite3_errcode(reader->db->getHandle()));
    }
    reader->scan.reset(scan);
    reader->page = std::make_unique<SQLite::Statement>(
        *reader->db,
        "SELECT highlight(events, 0, '<mark>', '</mark>'), highlight(events, 1, '<mark>', "
        "'</mark>'), highlight(events, 2, '<mark>', '</mark>'), highlight(events, 4, '<mark>', "
        "'</mark>'), name, performers FROM events WHERE events MATCH ? AND rowid = ?");
    reader->plain = std::make_unique<SQLite::Statement>(
        *reader->db, "SELECT name, performers FROM events WHERE rowid = ?");
    reader->suggest = std::make_unique<SQLite::Statement>(
        *reader->db, "SELECT text FROM suggestions WHERE suggestions MATCH ? LIMIT " +
                         std::to_string(suggestion_candidates_max));
    return reader;
  }
  void give_back(std::unique_ptr<Reader> reader) const {
    sqlite3_reset(reader->scan.get());
    sqlite3_clear_bindings(reader->scan.get());
    for (auto* statement : {&reader->page, &reader->plain, &reader->suggest}) {
      (*statement)->reset();
      (*statement)->clearBindings();
    }
    std::lock_guard lock(readers_mutex);
    idle_readers.push_back(std::move(reader));
    reader_returned.notify_one();
  }

  void learn_words(const std::string& text) {
    for (std::string& word : split_words(fold_text(text))) {
      if (vocabulary.contains(word)) continue;
      if (word.size() >= 4 && word.size() <= 32) {
        for (std::size_t i = 0; i < word.size(); ++i) {
          std::string shorter = word;
          shorter.erase(i, 1);
          deletions[std::move(shorter)].push_back(word);
        }
      }
      vocabulary.insert(std::move(word));
    }
  }

  void count_suggestion(const std::string& text, SuggestionKind kind, int delta) {
    if (text.empty()) return;
    auto it = suggestions.find(text);
    if (it == suggestions.end()) {
      if (delta < 0) return;
      SQLite::Statement insert(*writer, "INSERT INTO suggestions (text) VALUES (?)");
      insert.bind(1, text);
      insert.exec();
      it = suggestions.emplace(text, Suggestion{writer->getLastInsertRowid(), kind, 0})
               .first;
    }
    it->second.events = static_cast<std::uint32_t>(static_cast<int>(it->second.events) + delta);
    if (it->second.events == 0) {
      SQLite::Statement erase(*writer, "DELETE FROM suggestions WHERE rowid = ?");
      erase.bind(1, it->second.rowid);
      erase.exec();
      suggestions.erase(it);
    }
  }

  void count_suggestions(const Doc& doc, const std::vector<std::string>& performers,
                         const std::string& name, int delta) {
    for (const std::string& performer : performers) {
      count_suggestion(performer, SuggestionKind::performer, delta);
    }
    count_suggestion(name, SuggestionKind::event, delta);
    count_suggestion(strings[doc.venue_name], SuggestionKind::venue, delta);
    count_suggestion(strings[doc.city], SuggestionKind::city, delta);
  }

  // Removes an event's row and attributes, if it has them.
  void erase(std::int64_t id, std::unordered_map<std::int64_t, std::pair<std::vector<std::string>, std::string>>& texts) {
    const auto it = slot_of.find(id);
    if (it == slot_of.end()) return;
    Doc& doc = docs[it->second];
    const auto text = texts.find(id);
    if (text != texts.end()) {
      count_suggestions(doc, text->second.first, text->second.second, -1);
      texts.erase(text);
    }
    SQLite::Statement erase(*writer, "DELETE FROM events WHERE rowid = ?");
    erase.bind(1, static_cast<std::int64_t>(it->second));  // the FTS5 rowid is the slot
    erase.exec();
    doc.live = false;
    --live_docs;
    free_slots.push_back(it->second);
    popularity[it->second].views = 0;
    popularity[it->second].sold = 0;
    slot_of.erase(it);
  }

  // Adds (or replaces) an event.
  void insert(const Event& event, const Venue& venue,
              std::unordered_map<std::int64_t, std::pair<std::vector<std::string>, std::string>>& texts) {
    std::uint32_t views = 0, sold = 0;
    if (const auto it = slot_of.find(event.id); it != slot_of.end()) {
      views = popularity[it->second].views;
      sold = popularity[it->second].sold;
      erase(event.id, texts);
    }
    Doc doc;
    doc.id = event.id;
    doc.venue_id = venue.id;
    doc.category = intern(event.category);
    doc.city = intern(venue.city);
    doc.venue_name = intern(venue.name);
    doc.starts_at = event.starts_at;
    doc.on_sale_at = event.on_sale_at;
    doc.local_start = to_local(venue.timezone, event.starts_at);
    doc.month = month_of(doc.local_start);
    doc.lat = venue.lat;
    doc.lon = venue.lon;
    std::uint64_t capacity = venue.layout ? venue.layout->seats.size() : 0;
    if (venue.layout) {
      for (const GaArea& area : venue.layout->ga_areas) capacity += area.capacity;
    }
    doc.capacity = static_cast<std::uint32_t>(std::min<std::uint64_t>(capacity, UINT32_MAX));
    doc.min_price = INT64_MAX;
    doc.max_price = 0;
    for (const PriceLevel& level : event.price_levels) {
      doc.min_price = std::min(doc.min_price, level.price_cents);
      doc.max_price = std::max(doc.max_price, level.price_cents);
      doc.currency = intern(level.currency);
    }
    if (event.price_levels.empty()) doc.min_price = 0;
    doc.live = true;

    std::uint32_t slot;
    if (!free_slots.empty()) {
      slot = free_slots.back();
      free_slots.pop_back();
      docs[slot] = doc;
    } else {
      slot = static_cast<std::uint32_t>(docs.size());
      docs.push_back(doc);
      popularity.emplace_back();
    }
    popularity[slot].views = views;
    popularity[slot].sold = sold;
    slot_of[event.id] = slot;
    ++live_docs;
    // Postings only grow; a stale entry (slot reused, or moved) is filtered by checking the doc.
    by_category[doc.category].push_back(slot);
    by_city[doc.city].push_back(slot);
    by_cell[cell_of(doc.lat, doc.lon)].push_back(slot);
    by_day[day_of(doc.local_start)].push_back(slot);

    const std::string performers = join(event.performers, ", ");
    const std::string tags = join(event.tags, ", ");
    SQLite::Statement add(*writer,
                          "INSERT INTO events (rowid, name, performers, venue, city, tags, "
                          "description) VALUES (?, ?, ?, ?, ?, ?, ?)");
    add.bind(1, static_cast<std::int64_t>(slot));  // rowid = slot: a match is its doc, no lookup
    add.bind(2, event.name);
    add.bind(3, performers);
    add.bind(4, venue.name);
    add.bind(5, venue.city);
    add.bind(6, tags);
    add.bind(7, event.description);
    add.exec();
    SQLite::Statement size(*writer, "SELECT sz FROM events_docsize WHERE id = ?");
    size.bind(1, static_cast<std::int64_t>(slot));
    if (size.executeStep()) {
      const SQLite::Column sz = size.getColumn(0);
      docs[slot].tokens = total_tokens(sz.getBlob(), sz.getBytes());
    }
    for (const std::string* text : {&event.name, &performers, &venue.name, &venue.city, &tags,
                                    &event.description}) {
      learn_words(*text);
    }
    count_suggestions(doc, event.performers, event.name, +1);
    texts[event.id] = {event.performers, event.name};
  }

  // What the suggestions need to be taken back when an event leaves: its performers and name.
  std::unordered_map<std::int64_t, std::pair<std::vector<std::string>, std::string>> texts;
};

namespace {

bool indexable(const Event& event) { return event.published && !event.cancelled; }

// Adds to `alternatives` (and `corrected`) the indexed words `typos` edits from `word`. The
// candidates are the words the symmetric-delete index files under a deletion of `word` of up to
// `typos` bytes, and those deletions themselves (the typo added letters): that finds every word
// one edit away, and those two away but for two substitutions or two missing letters.
void add_corrections(const SearchService::Index& index, const std::string& word,
                     std::size_t typos, std::vector<std::string>& alternatives,
                     std::vector<std::string>& corrected) {
  std::set<std::string> keys{word};
  for (std::size_t round = 0; round < typos; ++round) {
    for (const std::string& key : std::vector(keys.begin(), keys.end())) {
      for (std::size_t k = 0; k < key.size(); ++k) keys.insert(std::string(key).erase(k, 1));
    }
  }
  const auto add = [&](const std::string& candidate, bool correction) {
    if (std::find(alternatives.begin(), alternatives.end(), candidate) != alternatives.end()) return;
    alternatives.push_back(candidate);
    if (correction) corrected.push_back(candidate);
  };
  for (const std::string& key : keys) {
    if (key != word && key.size() >= 3 && index.vocabulary.contains(key)) add(key, false);
    const auto it = index.deletions.find(key);
    if (it == index.deletions.end()) continue;
    for (const std::string& candidate : it->second) {
      if (edit_distance_within(word, candidate, typos) <= typos) add(candidate, true);
    }
  }
}

// The FTS5 query for `words`: every word must match, as itself or as a word of the index one
// typo away; the last also as a prefix when `prefix_last` (type-ahead). Empty when a word can't
// match at all. `phrases` gets the expression's phrases in FTS5's order ("live", "love*").
std::string match_expression(const SearchService::Index& index,
                             const std::vector<std::string>& words, bool prefix_last,
                             std::vector<std::string>& corrected, std::vector<std::string>& phrases) {
  std::string expression;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    std::vector<std::string> alternatives;
    const bool last = i + 1 == words.size();
    const bool known = index.vocabulary.contains(word);
    const bool prefix = !known && last && prefix_last;
    if (known || prefix) alternatives.push_back(word);
    // A prefix that some indexed word starts with is being typed, not mistyped: "love" is on
    // its way to "lovers", and correcting it to "live" would bury those under every live show.
    const auto completion = index.vocabulary.lower_bound(word);
    const bool completes = prefix && completion != index.vocabulary.end() &&
                           std::string_view(*completion).starts_with(word);
    const std::size_t budget = typo_budget(word.size());
    if (!known && !completes && budget > 0) {
      // One typo first; two (for long words) only when one finds nothing.
      const std::size_t before = alternatives.size();
      for (std::size_t typos = 1; typos <= budget && alternatives.size() == before; ++typos) {
        add_corrections(index, word, typos, alternatives, corrected);
      }
    }
    if (alternatives.empty()) return "";
    if (!expression.empty()) expression += " AND ";
    expression += "(";
    for (std::size_t k = 0; k < alternatives.size(); ++k) {
      if (k > 0) expression += " OR ";
      expression += "\"" + alternatives[k] + "\"";
      if (prefix && k == 0) expression += "*";
      phrases.push_back(alternatives[k] + (prefix && k == 0 ? "*" : ""));
    }
    expression += ")";
  }
  return expression;
}

struct Hit {
  double score = 0;
  std::int64_t id = 0;
  std::uint32_t slot = 0;
  double relevance = 0;
};

bool before(const Hit& a, const Hit& b) {
  return a.score > b.score || (a.score == b.score && a.id < b.id);
}

struct Cursor {
  double score = 0;
  std::int64_t id = 0;
  UnixMillis now = 0;
};

std::string encode_cursor(const Hit& last, UnixMillis now) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &last.score, sizeof bits);
  char text[64];
  std::snprintf(text, sizeof text, "c1.%llx.%lld.%lld", static_cast<unsigned long long>(bits),
                static_cast<long long>(last.id), static_cast<long long>(now));
  return text;
}

std::optional<Cursor> decode_cursor(std::string_view text) {
  if (!text.starts_with("c1.")) return std::nullopt;
  text.remove_prefix(3);
  std::uint64_t bits = 0;
  Cursor cursor;
  const char* end = text.data() + text.size();
  auto [p, e] = std::from_chars(text.data(), end, bits, 16);
  if (e != std::errc() || p == end || *p != '.') return std::nullopt;
  auto [q, f] = std::from_chars(p + 1, end, cursor.id);
  if (f != std::errc() || q == end || *q != '.') return std::nullopt;
  auto [r, g] = std::from_chars(q + 1, end, cursor.now);
  if (g != std::errc() || r != end) return std::nullopt;
  std::memcpy(&cursor.score, &bits, sizeof bits);
  if (!std::isfinite(cursor.score)) return std::nullopt;
  return cursor;
}

}  // namespace

// A folder of the index's own, emptied: at start nothing in it is in use.
static std::filesystem::path prepared(std::filesystem::path dir) {
  if (!dir.empty()) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  return dir;
}

SearchService::SearchService(Metrics* metrics, std::filesystem::path index_dir)
    : metrics_(metrics),
      index_dir_(prepared(std::move(index_dir))),
      index_(std::make_shared<Index>(index_dir_)),
      stats_(std::make_unique<Stats>()),
      indexer_([this] { run(); }) {}

SearchService::~SearchService() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_changed_.notify_all();
  indexer_.join();
}

std::shared_ptr<SearchService::Index> SearchService::current() const {
  std::lock_guard lock(index_mutex_);
  return index_;
}

void SearchService::put(std::shared_ptr<const Event> event, std::shared_ptr<const Venue> venue,
                        UnixMillis seen_at) {
  BOXOFFICE_CHECK(event);
  const std::int64_t id = event->id;
  if (!indexable(*event) || !venue) {
    remove(id, seen_at);
    return;
  }
  {
    std::lock_guard lock(queue_mutex_);
    if (queue_.size() >= index_queue_max) queue_.pop_front();  // bounded; a rebuild recovers
    queue_.push_back({id, std::move(event), std::move(venue), seen_at});
    ++enqueued_;
  }
  queue_changed_.notify_all();
}

void SearchService::remove(std::int64_t event_id, UnixMillis seen_at) {
  {
    std::lock_guard lock(queue_mutex_);
    if (queue_.size() >= index_queue_max) queue_.pop_front();
    queue_.push_back({event_id, nullptr, nullptr, seen_at});
    ++enqueued_;
  }
  queue_changed_.notify_all();
}

std::uint64_t SearchService::request_rebuild(
    std::vector<std::pair<std::shared_ptr<const Event>, std::shared_ptr<const Venue>>> events) {
  std::uint64_t number = 0;
  {
    std::lock_guard lock(queue_mutex_);
    pending_rebuild_ = std::move(events);
    number = ++rebuilds_requested_;
  }
  queue_changed_.notify_all();
  return number;
}

bool SearchService::rebuilt(std::uint64_t number) const {
  std::lock_guard lock(queue_mutex_);
  return rebuilds_done_ >= number;
}

void SearchService::rebuild(
    std::vector<std::pair<std::shared_ptr<const Event>, std::shared_ptr<const Venue>>> events) {
  const std::uint64_t number = request_rebuild(std::move(events));
  std::unique_lock lock(queue_mutex_);
  queue_changed_.wait(lock, [&] { return rebuilds_done_ >= number || stopping_; });
}

void SearchService::flush() {
  std::unique_lock lock(queue_mutex_);
  const std::uint64_t target = enqueued_;
  const std::uint64_t rebuild = rebuilds_requested_;
  queue_changed_.wait(lock, [&] {
    return (applied_ >= target && rebuilds_done_ >= rebuild) || stopping_;
  });
}

void SearchService::run() {
  for (;;) {
    std::vector<Change> batch;
    std::vector<std::pair<std::shared_ptr<const Event>, std::shared_ptr<const Venue>>> rebuild_from;
    std::uint64_t rebuilding = 0;  // the number of the rebuild under way, if any
    {
      std::unique_lock lock(queue_mutex_);
      const auto rebuild_wanted = [this] { return rebuilds_requested_ > rebuilds_done_; };
      queue_changed_.wait(lock, [&] { return stopping_ || rebuild_wanted() || !queue_.empty(); });
      if (stopping_) return;
      if (rebuild_wanted()) {
        rebuilding = rebuilds_requested_;
        rebuild_from = std::move(pending_rebuild_);
        pending_rebuild_.clear();
      } else {
        while (!queue_.empty() && batch.size() < index_batch_max) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
    }
    if (rebuilding) {
      auto fresh = std::make_shared<Index>(index_dir_);
      const auto old = current();
      {
        SQLite::Transaction transaction(*fresh->writer);
        for (const auto& [event, venue] : rebuild_from) {
          if (event && venue && indexable(*event)) fresh->insert(*event, *venue, fresh->texts);
        }
        transaction.commit();
      }
      fresh->writer->exec("INSERT INTO events (events) VALUES ('optimize')");
      fresh->writer->exec("PRAGMA wal_checkpoint(TRUNCATE)");
      {
        std::shared_lock old_lock(old->mutex);  // carry popularity over
        for (const auto& [id, slot] : fresh->slot_of) {
          const auto it = old->slot_of.find(id);
          if (it == old->slot_of.end()) continue;
          fresh->popularity[slot].views = old->popularity[it->second].views.load();
          fresh->popularity[slot].sold = old->popularity[it->second].sold.load();
        }
      }
      {
        std::lock_guard lock(index_mutex_);
        index_ = fresh;
      }
      stats_->rebuilds.add();
      std::lock_guard lock(queue_mutex_);
      rebuilds_done_ = rebuilding;
      queue_changed_.notify_all();
      continue;
    }
    apply(batch);
    std::lock_guard lock(queue_mutex_);
    applied_ += batch.size();
    queue_changed_.notify_all();
  }
}

void SearchService::apply(std::vector<Change>& batch) {
  const auto index = current();
  try {
    std::unique_lock lock(index->mutex);
    {
      std::lock_guard counts_lock(index->document_counts_mutex);
      index->document_counts.clear();
    }
    SQLite::Transaction transaction(*index->writer);
    for (const Change& change : batch) {
      if (change.event) {
        index->insert(*change.event, *change.venue, index->texts);
      } else {
        index->erase(change.event_id, index->texts);
      }
    }
    transaction.commit();
  } catch (const SQLite::Exception& e) {
    spdlog::error("search index: a batch of {} changes failed: {}", batch.size(), e.what());
    return;
  }
  const UnixMillis now = system_now();
  for (const Change& change : batch) {
    const UnixMillis lag = std::max<UnixMillis>(0, now - change.seen_at);
    stats_->lag.observe(std::chrono::milliseconds(lag));
    stats_->last_lag_ms = lag;
  }
  stats_->applied.add(batch.size());
}

// Adds to one of an indexed event's popularity counts.
static void add_popularity(SearchService::Index& index, std::int64_t event_id,
                           std::atomic<std::uint32_t> Popularity::*count, std::uint32_t amount) {
  std::shared_lock lock(index.mutex);
  if (const auto it = index.slot_of.find(event_id); it != index.slot_of.end()) {
    (index.popularity[it->second].*count).fetch_add(amount, std::memory_order_relaxed);
  }
}

void SearchService::record_view(std::int64_t event_id) {
  add_popularity(*current(), event_id, &Popularity::views, 1);
}

void SearchService::record_sale(std::int64_t event_id, std::uint32_t units) {
  add_popularity(*current(), event_id, &Popularity::sold, units);
}

std::size_t SearchService::indexed_events() const {
  const auto index = current();
  std::shared_lock lock(index->mutex);
  return index->live_docs;
}

std::uint64_t SearchService::index_bytes() const {
  const auto index = current();
  std::shared_lock lock(index->mutex);
  std::error_code error;
  std::uint64_t bytes = 0;
  for (const char* suffix : {"", "-wal"}) {
    const auto size = std::filesystem::file_size(index->file.string() + suffix, error);
    if (!error) bytes += size;
  }
  return bytes;
}

std::string SearchService::render_metrics() const {
  std::size_t queued = 0;
  {
    std::lock_guard lock(const_cast<std::mutex&>(queue_mutex_));
    queued = queue_.size();
  }
  std::string out;
  out += "# HELP boxoffice_search_index_lag_seconds From a catalog change seen by this node to it being searchable.\n";
  out += "# TYPE boxoffice_search_index_lag_seconds histogram\n";
  stats_->lag.render(out, "boxoffice_search_index_lag_seconds", "");
  out += "# TYPE boxoffice_search_index_last_lag_seconds gauge\n";
  out += "boxoffice_search_index_last_lag_seconds " +
         std::to_string(static_cast<double>(stats_->last_lag_ms.load()) / 1000.0) + "\n";
  out += "# TYPE boxoffice_search_index_queue gauge\nboxoffice_search_index_queue " +
         std::to_string(queued) + "\n";
  out += "# TYPE boxoffice_search_indexed_events gauge\nboxoffice_search_indexed_events " +
         std::to_string(indexed_events()) + "\n";
  out += "# TYPE boxoffice_search_index_changes_total counter\nboxoffice_search_index_changes_total " +
         std::to_string(stats_->applied.value()) + "\n";
  out += "# TYPE boxoffice_search_index_rebuilds_total counter\nboxoffice_search_index_rebuilds_total " +
         std::to_string(stats_->rebuilds.value()) + "\n";
  out += "# TYPE boxoffice_search_queries_total counter\nboxoffice_search_queries_total " +
         std::to_string(stats_->queries.value()) + "\n";
  out += "# TYPE boxoffice_search_suggestions_total counter\nboxoffice_search_suggestions_total " +
         std::to_string(stats_->suggestions.value()) + "\n";
  return out;
}

namespace {

Error invalid(std::string field, std::string detail) {
  return field_error(field, detail);
}

const CityInfo* known_city(std::string_view name) {
  const std::string folded = fold_text(name);
  for (const CityInfo& city : known_cities()) {
    if (fold_text(city.name) == folded) return &city;
  }
  return nullptr;
}

// What a request filters on, resolved against an index.
struct Filters {
  std::optional<std::uint16_t> category;
  bool category_unknown = false;  // asked for a category that no event has: nothing matches
  std::vector<bool> cities;       // by interned string id; empty: any city
  std::optional<std::array<double, 3>> geo;  // lat, lon, radius in km
  std::optional<DateRange> local;
  std::optional<UnixMillis> from, to;
  std::optional<std::int64_t> min_price, max_price;
  bool include_past = false;
  bool include_sold_out = true;
};

bool passes(const Doc& doc, const Filters& f, UnixMillis now, bool sold_out) {
  if (!doc.live) return false;
  if (f.category && doc.category != *f.category) return false;
  if (!f.cities.empty() && (doc.city >= f.cities.size() || !f.cities[doc.city])) return false;
  if (f.local && (doc.local_start < f.local->from || doc.local_start >= f.local->to)) return false;
  if (f.from && doc.starts_at < *f.from) return false;
  if (f.to && doc.starts_at >= *f.to) return false;
  if (f.min_price && doc.min_price < *f.min_price) return false;
  if (f.max_price && doc.min_price > *f.max_price) return false;
  if (!f.include_past && doc.starts_at < now) return false;
  if (!f.include_sold_out && sold_out) return false;
  if (f.geo && distance_km((*f.geo)[0], (*f.geo)[1], doc.lat, doc.lon) > (*f.geo)[2]) return false;
  return true;
}

// Slots that may pass the filters, as a bitset: the intersection of the posting lists of the
// filters that posting lists can answer (wall-clock days, geographic cells, cities, category).
// A superset (postings keep stale entries); every slot in it is still checked against the doc.
// Starts from the shortest list, and intersects a longer one only while it is at most 16× the
// slots left: a posting entry costs a couple of nanoseconds to read, a slot the scan has to
// check in the attributes a cache miss (~100 ns) — the reason this exists. Empty: no filter
// narrows (every slot may pass).
struct Narrowed {
  std::vector<std::uint64_t> bits;
  std::size_t count = 0;
  bool test(std::uint32_t slot) const {
    return bits.empty() || (slot / 64 < bits.size() && (bits[slot / 64] >> (slot % 64) & 1) != 0);
  }
};

constexpr std::int32_t narrowing_days_max = 400;
constexpr std::size_t narrowing_ratio_max = 16;

using Postings = std::vector<const std::vector<std::uint32_t>*>;

std::size_t postings_size(const Postings& lists) {
  std::size_t size = 0;
  for (const auto* list : lists) size += list->size();
  return size;
}

std::vector<Postings> filter_postings(const SearchService::Index& index, const Filters& filters) {
  std::vector<Postings> out;
  auto add = [](Postings& lists, const auto& map, auto key) {
    if (const auto it = map.find(key); it != map.end()) lists.push_back(&it->second);
  };
  // Days: the wall-clock range, or the UTC instants widened by the widest UTC offsets.
  std::optional<std::pair<std::int32_t, std::int32_t>> days;
  if (filters.local) days = {day_of(filters.local->from), day_of(filters.local->to - 1)};
  if (filters.from && filters.to) {
    const std::pair<std::int32_t, std::int32_t> utc{day_of(*filters.from - 14 * 3'600'000),
                                                    day_of(*filters.to + 14 * 3'600'000)};
    days = days ? std::pair{std::max(days->first, utc.first), std::min(days->second, utc.second)} : utc;
  }
  if (days && days->second - days->first < narrowing_days_max) {
    Postings& lists = out.emplace_back();
    for (std::int32_t day = days->first; day <= days->second; ++day) add(lists, index.by_day, day);
  }
  if (filters.geo) {
    Postings& lists = out.emplace_back();
    const auto [lat, lon, radius] = *filters.geo;
    const double dlat = radius / 111.0;
    const double dlon = radius / (111.0 * std::max(0.05, std::cos(lat * 0.0174533)));
    for (double a = std::floor(lat - dlat); a <= std::floor(lat + dlat); a += 1) {
      for (double o = std::floor(lon - dlon); o <= std::floor(lon + dlon); o += 1) {
        if (a < -90 || a >= 90 || o < -180 || o >= 180) continue;
        add(lists, index.by_cell, cell_of(a, o));
      }
    }
  }
  if (!filters.cities.empty()) {
    Postings& lists = out.emplace_back();
    for (std::size_t i = 0; i < filters.cities.size(); ++i) {
      if (filters.cities[i]) add(lists, index.by_city, static_cast<std::uint16_t>(i));
    }
  }
  if (filters.category) add(out.emplace_back(), index.by_category, *filters.category);
  return out;
}

Narrowed narrow(const SearchService::Index& index, const Filters& filters) {
  std::vector<Postings> candidates = filter_postings(index, filters);
  std::sort(candidates.begin(), candidates.end(),
            [](const Postings& a, const Postings& b) { return postings_size(a) < postings_size(b); });
  Narrowed out;
  const std::size_t words = (index.docs.size() + 63) / 64;
  for (const Postings& lists : candidates) {
    if (!out.bits.empty() && postings_size(lists) > narrowing_ratio_max * out.count) break;
    std::vector<std::uint64_t> bits(words, 0);
    for (const auto* list : lists) {
      for (const std::uint32_t slot : *list) bits[slot / 64] |= std::uint64_t{1} << (slot % 64);
    }
    if (!out.bits.empty()) {
      for (std::size_t w = 0; w < words; ++w) bits[w] &= out.bits[w];
    }
    out.count = 0;
    for (const std::uint64_t word : bits) out.count += static_cast<std::size_t>(std::popcount(word));
    out.bits = std::move(bits);
    if (out.count == 0) break;
  }
  return out;
}

std::vector<FacetCount> facet(const std::unordered_map<std::uint32_t, std::uint32_t>& counts,
                              const std::vector<std::string>& names, std::size_t max) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> sorted(counts.begin(), counts.end());
  std::sort(sorted.begin(), sorted.end(), [&](const auto& a, const auto& b) {
    return a.second > b.second || (a.second == b.second && names[a.first] < names[b.first]);
  });
  if (sorted.size() > max) sorted.resize(max);
  std::vector<FacetCount> out;
  for (const auto& [id, count] : sorted) out.push_back({names[id], count});
  return out;
}


// One query's single pass over what it matches: each candidate (in slot order, which is the
// FTS5 rowid order) is filtered, counted into the total and the facets (exactly, however many
// match), given its relevance and boosts if it passes, and kept if it is among the best
// `keep` after the cursor. Text queries run it inside FTS5 (scan_row, one call per matching
// row), filter-only queries over a posting list; nothing is materialised per candidate.
struct Scan {
  static constexpr std::int32_t first_month = 1900 * 12;  // months counted in a flat array
  static constexpr std::int32_t months = 200 * 12;

  const SearchService::Index* index = nullptr;
  const Filters* filters = nullptr;
  const Narrowed* narrowed = nullptr;
  UnixMillis now = 0;
  std::optional<Cursor> cursor;
  std::size_t keep = 0;  // the page and one more, to know whether a next page exists
  std::size_t total = 0;
  std::vector<std::uint32_t> by_category, by_city;  // by interned string
  std::vector<std::uint32_t> by_month = std::vector<std::uint32_t>(months);
  std::map<std::int32_t, std::uint32_t> by_other_month;  // before 1900 or after 2099
  std::vector<Hit> best;  // a heap whose top is the worst hit kept
  std::size_t after_cursor = 0;

  // BM25 as FTS5's bm25() defines it (k1 = 1.2, b = 0.75, the IDF of each phrase of the query
  // over the whole table, column weights), written out here only to take each row's length
  // from memory (Doc::tokens): the built-in reads it from the docsize table, a B-tree lookup
  // per row, which was most of a broad query's time. Set up at the query's first row.
  static constexpr std::array<double, 6> column_weights = {10.0, 10.0, 4.0, 2.0, 3.0, 1.0};
  bool bm25_ready = false;
  std::vector<std::string> phrases;  // of the match expression, in order: keys of the IDF cache
  double average_tokens = 1;
  std::vector<double> idf, frequency;

  Scan(const SearchService::Index& index_, const Filters& filters_, const Narrowed& narrowed_,
       UnixMillis now_, std::optional<Cursor> cursor_, std::size_t keep_)
      : index(&index_), filters(&filters_), narrowed(&narrowed_), now(now_), cursor(cursor_), keep(keep_),
        by_category(index_.strings.size()), by_city(index_.strings.size()) {
    best.reserve(keep + 1);
  }

  // Counts the slot if it passes the filters; says whether it did and whether it is sold out.
  bool admit(std::uint32_t slot, bool& sold_out) {
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

  // Ranks an admitted slot and keeps it if it is among the best after the cursor.
  void offer(std::uint32_t slot, bool sold_out, double relevance) {
    const Doc& doc = index->docs[slot];
    const Popularity& popularity = index->popularity[slot];
    const RankSignals signals{now, doc.starts_at, doc.on_sale_at, sold_out,
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

  // The kept hits, best first.
  std::vector<Hit> ranked() {
    std::sort_heap(best.begin(), best.end(), before);
    return std::move(best);
  }

  std::map<std::int32_t, std::uint32_t> month_counts() const {
    std::map<std::int32_t, std::uint32_t> out = by_other_month;
    for (std::int32_t m = 0; m < months; ++m) {
      if (by_month[static_cast<std::size_t>(m)] > 0) out[m + first_month] = by_month[static_cast<std::size_t>(m)];
    }
    return out;
  }

  int prepare_bm25(const Fts5ExtensionApi* api, Fts5Context* fts) {
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
      sqlite3_int64 hits = -1;
      if (cached) {
        std::lock_guard lock(index->document_counts_mutex);
        const auto it = index->document_counts.find(phrases[static_cast<std::size_t>(p)]);
        if (it != index->document_counts.end()) hits = it->second;
      }
      if (hits < 0) {
        hits = 0;
        rc = api->xQueryPhrase(fts, p, &hits, [](const Fts5ExtensionApi*, Fts5Context*, void* count) {
          ++*static_cast<sqlite3_int64*>(count);
          return SQLITE_OK;
        });
        if (rc != SQLITE_OK) return rc;
        if (cached) {
          std::lock_guard lock(index->document_counts_mutex);
          if (index->document_counts.size() >= SearchService::Index::document_counts_max) {
            index->document_counts.clear();
          }
          index->document_counts[phrases[static_cast<std::size_t>(p)]] = hits;
        }
      }
      const double value = std::log((static_cast<double>(rows - hits) + 0.5) / (static_cast<double>(hits) + 0.5));
      idf[static_cast<std::size_t>(p)] = value <= 0.0 ? 1e-6 : value;
    }
    bm25_ready = true;
    return SQLITE_OK;
  }

  // The current row's BM25 (higher is better).
  int bm25(const Fts5ExtensionApi* api, Fts5Context* fts, std::uint32_t slot, double& relevance) {
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
};

constexpr const char* scan_pointer_type = "boxoffice_scan";

void scan_row(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* context, int argc,
              sqlite3_value** argv) {
  auto* scan = argc == 1 ? static_cast<Scan*>(sqlite3_value_pointer(argv[0], scan_pointer_type)) : nullptr;
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

Result<SearchResults> SearchService::search(const SearchRequest& request, UnixMillis now) const {
  stats_->queries.add();
  if (request.limit == 0 || request.limit > search_limit_max) {
    return invalid("limit", "between 1 and " + std::to_string(search_limit_max));
  }
  std::optional<Cursor> cursor;
  if (request.cursor) {
    cursor = decode_cursor(*request.cursor);
    if (!cursor) return invalid("cursor", "not a cursor of this search");
    now = cursor->now;  // the same clock for every page: time boosts don't move
  }
  Filters filters;
  if (request.lat.has_value() != request.lon.has_value()) {
    return invalid(request.lat ? "lon" : "lat", "lat and lon go together");
  }
  if (request.lat) {
    const double radius = request.radius_km.value_or(50.0);
    if (std::abs(*request.lat) > 90 || std::abs(*request.lon) > 180) {
      return invalid("lat", "lat within ±90, lon within ±180");
    }
    if (!(radius > 0 && radius <= 20'000)) return invalid("radius_km", "between 0 and 20000");
    filters.geo = std::array<double, 3>{*request.lat, *request.lon, radius};
  }

  // Relative dates are read in the asker's zone: given, or the named city's, or UTC.
  std::string zone = "UTC";
  const CityInfo* city_param = request.city ? known_city(*request.city) : nullptr;
  if (request.tz && known_time_zone(*request.tz)) {
    zone = *request.tz;
  } else if (city_param) {
    zone = std::string(city_param->timezone);
  }
  QueryUnderstanding understood =
      understand_query(request.q, to_local(zone, now), known_cities(), known_category_synonyms());
  if (understood.city && !request.tz && understood.city->timezone != zone) {
    zone = std::string(understood.city->timezone);
    understood = understand_query(request.q, to_local(zone, now), known_cities(),
                                  known_category_synonyms());
  }
  if (!filters.geo && understood.city && !request.city) {
    filters.geo = std::array<double, 3>{understood.city->lat, understood.city->lon,
                                        understood.city->radius_km};
  }
  filters.local = understood.dates;
  filters.from = request.from;
  filters.to = request.to;
  filters.min_price = request.min_price_cents;
  filters.max_price = request.max_price_cents;
  filters.include_past = request.include_past;
  filters.include_sold_out = request.include_sold_out;
  const std::optional<std::string> category =
      request.category ? std::optional(fold_text(*request.category)) : understood.category;
  const bool prefix_last = !request.q.empty() && request.q.back() != ' ';

  const auto index = current();
  std::shared_lock lock(index->mutex);
  if (category) {
    const auto it = index->string_ids.find(*category);
    if (it == index->string_ids.end()) filters.category_unknown = true;
    else filters.category = it->second;
  }
  if (request.city) {
    const std::string folded = fold_text(*request.city);
    filters.cities.assign(index->strings.size(), false);
    for (std::size_t i = 0; i < index->folded_strings.size(); ++i) {
      if (index->folded_strings[i] == folded) filters.cities[i] = true;
    }
  }

  // One pass over the candidates: what the words match (inside FTS5, with BM25), or the
  // smallest posting list that the filters allow (relevance 1: the boosts rank).
  const Narrowed narrowed = filters.category_unknown ? Narrowed{} : narrow(*index, filters);
  Scan scan(*index, filters, narrowed, now, cursor, request.limit + 1);
  std::vector<std::string> corrected;
  std::string expression;
  bool nothing = filters.category_unknown;
  if (!understood.words.empty() && !nothing) {
    expression = match_expression(*index, understood.words, prefix_last, corrected, scan.phrases);
    nothing = expression.empty();
    if (!nothing) {
      auto reader = index->take_reader();
      sqlite3_stmt* statement = reader->scan.get();
      sqlite3_bind_text(statement, 1, expression.data(), static_cast<int>(expression.size()), SQLITE_STATIC);
      sqlite3_bind_pointer(statement, 2, &scan, scan_pointer_type, nullptr);
      int rc = SQLITE_ROW;
      while (rc == SQLITE_ROW) rc = sqlite3_step(statement);
      const std::string error = rc == SQLITE_DONE ? "" : sqlite3_errmsg(reader->db->getHandle());
      index->give_back(std::move(reader));
      if (!error.empty()) return invalid("q", "can't be searched: " + error);
    }
  } else if (!nothing) {
    // In slot order, from the narrowed set's bits, or every slot.
    const auto docs = static_cast<std::uint32_t>(index->docs.size());
    for (std::uint32_t slot = 0; slot < docs; ++slot) {
      if (!narrowed.bits.empty() && narrowed.bits[slot / 64] == 0) {
        slot |= 63;  // a word of nothing
        continue;
      }
      bool sold_out = false;
      if (scan.admit(slot, sold_out)) scan.offer(slot, sold_out, 1.0);
    }
  }
  const std::size_t total = scan.total;
  const bool more = scan.after_cursor > request.limit;
  std::vector<Hit> hits = scan.ranked();
  const std::size_t page = std::min(hits.size(), request.limit);

  // The page, with highlights.
  SearchResults answer;
  std::unique_ptr<Index::Reader> reader = page > 0 ? index->take_reader() : nullptr;
  for (std::size_t i = 0; i < page; ++i) {
    const Hit& hit = hits[i];
    const Doc& doc = index->docs[hit.slot];
    SearchResult& result = answer.results.emplace_back();
    std::string performers;
    try {
      if (!expression.empty()) {
        SQLite::Statement& statement = *reader->page;
        statement.reset();
        statement.bind(1, expression);
        statement.bind(2, static_cast<std::int64_t>(hit.slot));
        if (statement.executeStep()) {
          SearchHighlights& highlights = result.highlights;
          std::array<std::optional<std::string>*, 4> columns = {
              &highlights.name, &highlights.performers, &highlights.venue, &highlights.tags};
          for (int c = 0; c < 4; ++c) {
            std::string text = statement.getColumn(c).getString();
            if (text.find("<mark>") != std::string::npos) *columns[static_cast<std::size_t>(c)] = text;
          }
          result.name = statement.getColumn(4).getString();
          performers = statement.getColumn(5).getString();
        }
      } else {
        SQLite::Statement& statement = *reader->plain;
        statement.reset();
        statement.bind(1, static_cast<std::int64_t>(hit.slot));
        if (statement.executeStep()) {
          result.name = statement.getColumn(0).getString();
          performers = statement.getColumn(1).getString();
        }
      }
    } catch (const SQLite::Exception& e) {
      spdlog::warn("search: reading event {} failed: {}", doc.id, e.what());
    }
    for (std::size_t start = 0; !performers.empty();) {
      const std::size_t comma = performers.find(", ", start);
      result.performers.push_back(performers.substr(start, comma - start));
      if (comma == std::string::npos) break;
      start = comma + 2;
    }
    const Popularity& popularity = index->popularity[hit.slot];
    const bool sold_out = doc.capacity > 0 && popularity.sold.load() >= doc.capacity;
    result.id = doc.id;
    result.category = index->strings[doc.category];
    result.starts_at = doc.starts_at;
    result.local_starts_at = doc.local_start;
    result.venue = {doc.venue_id, index->strings[doc.venue_name], index->strings[doc.city], doc.lat,
                    doc.lon};
    result.price_range = {doc.min_price, doc.max_price, index->strings[doc.currency]};
    result.on_sale = doc.on_sale_at <= now && !sold_out;
    result.sold_out = sold_out;
    result.score = hit.score;
    if (filters.geo) {
      result.distance_km = distance_km((*filters.geo)[0], (*filters.geo)[1], doc.lat, doc.lon);
    }
  }
  if (reader) index->give_back(std::move(reader));

  answer.q = request.q;
  answer.understood = {std::move(understood), zone, std::move(corrected)};
  answer.total = total;
  std::unordered_map<std::uint32_t, std::uint32_t> by_category, by_city;
  for (std::uint32_t i = 0; i < scan.by_category.size(); ++i) {
    if (scan.by_category[i] > 0) by_category[i] = scan.by_category[i];
    if (scan.by_city[i] > 0) by_city[i] = scan.by_city[i];
  }
  answer.facets.category = facet(by_category, index->strings, SIZE_MAX);
  answer.facets.city = facet(by_city, index->strings, search_city_facets_max);
  for (const auto& [month, count] : scan.month_counts()) {
    answer.facets.month.push_back({month_label(month), count});
  }
  if (more && page > 0) answer.next_cursor = encode_cursor(hits[page - 1], now);
  return answer;
}

Suggestions SearchService::suggest(std::string_view prefix, std::size_t limit) const {
  stats_->suggestions.add();
  limit = std::clamp<std::size_t>(limit, 1, suggest_limit_max);
  std::vector<std::string> words = split_words(
      fold_text(prefix.substr(0, std::min(prefix.size(), search_query_bytes_max))));
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
  std::vector<const std::pair<const std::string, Index::Suggestion>*> found;
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
