// One search index (index.hpp): its files, its reader pool, and the writes the indexer makes.
//
// The FTS5 database is derived data in a file of its own: journal in WAL so that readers see
// the last committed batch while the indexer writes the next, no fsync (a killed process's
// index is rebuilt at start anyway), and every connection maps the file into memory, so the
// readers share one copy of its pages in the page cache.
//
// An insert keeps three things in step: the Doc at a slot (with its postings and interned
// strings), the FTS5 row at rowid = slot (whose length in tokens, read back from FTS5's docsize
// table, is kept in the Doc so that BM25 never reads it per row), and the words and
// suggestions that type-ahead and typo tolerance look up. Replacing an event is an erase and an
// insert; its popularity counters are carried over. Those counters are the one thing written
// outside the indexer: record_view() and record_sale(), at the end, add to them atomically.
#include "services/search/index.hpp"

#include <date/date.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

#include "core/search_text.hpp"
#include "services/search/scan.hpp"
#include "services/time_zones.hpp"

namespace boxoffice::search_detail {
namespace {

constexpr std::string_view fts_schema =
    "CREATE VIRTUAL TABLE events USING fts5(name, performers, venue, city, tags, description, "
    "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4');"
    "CREATE VIRTUAL TABLE suggestions USING fts5(text, "
    "tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3 4');";

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

std::filesystem::path fresh_file(const std::filesystem::path& dir) {
  static std::atomic<std::uint64_t> counter = 0;
  const std::filesystem::path folder = dir.empty() ? std::filesystem::temp_directory_path() : dir;
  return folder / ("boxoffice-search-" + std::to_string(::getpid()) + "-" +
                   std::to_string(counter.fetch_add(1)) + ".sqlite");
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

StringPool::StringPool(std::size_t strings_max) : strings_max_(strings_max) {
  BOXOFFICE_CHECK(strings_max <= std::size_t{UINT16_MAX} + 1);  // every id fits 16 bits
}

std::uint16_t StringPool::acquire(const std::string& text) {
  if (const auto it = ids_.find(text); it != ids_.end()) {
    ++holders_[it->second];
    return it->second;
  }
  BOXOFFICE_CHECK(ids_.size() < strings_max_);  // the catalog keeps to the bound (search.hpp)
  std::uint16_t id = 0;
  if (!free_ids_.empty()) {
    id = free_ids_.back();
    free_ids_.pop_back();
    texts_[id] = text;
    folded_[id] = fold_text(text);
    holders_[id] = 1;
  } else {
    id = static_cast<std::uint16_t>(texts_.size());
    texts_.push_back(text);
    folded_.push_back(fold_text(text));
    holders_.push_back(1);
  }
  ids_.emplace(text, id);
  return id;
}

void StringPool::release(std::uint16_t id) {
  BOXOFFICE_CHECK(id < holders_.size() && holders_[id] > 0);
  if (--holders_[id] > 0) return;
  ids_.erase(texts_[id]);
  texts_[id].clear();
  folded_[id].clear();
  free_ids_.push_back(id);
}

std::optional<std::uint16_t> StringPool::find(const std::string& text) const {
  const auto it = ids_.find(text);
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

Index::Index(const std::filesystem::path& dir) : file(fresh_file(dir)) {
  remove_files();  // left by a process that had our pid and was killed: derived data
  writer = std::make_unique<SQLite::Database>(file.string(),
                                              SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  writer->exec("PRAGMA journal_mode = WAL");
  writer->exec("PRAGMA synchronous = OFF");  // derived data: rebuilt at start anyway
  tune(*writer);
  writer->exec(std::string(fts_schema));
}

Index::~Index() {
  idle_readers.clear();
  writer.reset();
  remove_files();
}

void Index::remove_files() const {
  std::error_code ignored;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(file.string() + suffix, ignored);
  }
}

std::unique_ptr<Reader> Index::take_reader() const {
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
  register_scan_function(*reader->db);
  sqlite3_stmt* scan = nullptr;
  const std::string_view scan_sql =
      "SELECT boxoffice_scan(events, ?2) FROM events WHERE events MATCH ?1";
  if (sqlite3_prepare_v3(reader->db->getHandle(), scan_sql.data(),
                         static_cast<int>(scan_sql.size()), SQLITE_PREPARE_PERSISTENT, &scan,
                         nullptr) != SQLITE_OK) {
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

void Index::give_back(std::unique_ptr<Reader> reader) const {
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

void Index::learn_words(const std::string& text) {
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

void Index::count_suggestion(const std::string& text, SuggestionKind kind, int delta) {
  if (text.empty()) return;
  auto it = suggestions.find(text);
  if (it == suggestions.end()) {
    if (delta < 0) return;
    SQLite::Statement insert(*writer, "INSERT INTO suggestions (text) VALUES (?)");
    insert.bind(1, text);
    insert.exec();
    it = suggestions.emplace(text, SuggestionEntry{writer->getLastInsertRowid(), kind, 0}).first;
  }
  it->second.events = static_cast<std::uint32_t>(static_cast<int>(it->second.events) + delta);
  if (it->second.events == 0) {
    SQLite::Statement erase(*writer, "DELETE FROM suggestions WHERE rowid = ?");
    erase.bind(1, it->second.rowid);
    erase.exec();
    suggestions.erase(it);
  }
}

void Index::count_suggestions(const Doc& doc, const EventText& text, int delta) {
  for (const std::string& performer : text.performers) {
    count_suggestion(performer, SuggestionKind::performer, delta);
  }
  count_suggestion(text.name, SuggestionKind::event, delta);
  count_suggestion(venue_names.text(doc.venue_name), SuggestionKind::venue, delta);
  count_suggestion(cities.text(doc.city), SuggestionKind::city, delta);
}

void Index::erase(std::int64_t id) {
  const auto it = slot_of.find(id);
  if (it == slot_of.end()) return;
  Doc& doc = docs[it->second];
  const auto text = texts.find(id);
  if (text != texts.end()) {
    count_suggestions(doc, text->second, -1);
    texts.erase(text);
  }
  release_strings(doc);
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

void Index::insert(const Event& event, const Venue& venue) {
  std::uint32_t views = 0, sold = 0;
  if (const auto it = slot_of.find(event.id); it != slot_of.end()) {
    views = popularity[it->second].views;
    sold = popularity[it->second].sold;
    erase(event.id);
  }
  const Doc doc = make_doc(event, venue);
  const std::uint32_t slot = place(doc);
  popularity[slot].views = views;
  popularity[slot].sold = sold;
  slot_of[event.id] = slot;
  ++live_docs;
  add_row(slot, event, venue);
  EventText text{event.performers, event.name};
  count_suggestions(doc, text, +1);
  texts[event.id] = std::move(text);
}

Doc Index::make_doc(const Event& event, const Venue& venue) {
  Doc doc;
  doc.id = event.id;
  doc.venue_id = venue.id;
  doc.category = categories.acquire(event.category);
  doc.city = cities.acquire(venue.city);
  doc.venue_name = venue_names.acquire(venue.name);
  // One currency per event (the catalog checks it); none only in tests that make no prices.
  doc.currency = currencies.acquire(currency_of(event));
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
  }
  if (event.price_levels.empty()) doc.min_price = 0;
  doc.live = true;
  return doc;
}

void Index::release_strings(const Doc& doc) {
  categories.release(doc.category);
  cities.release(doc.city);
  venue_names.release(doc.venue_name);
  currencies.release(doc.currency);
}

std::uint32_t Index::place(const Doc& doc) {
  std::uint32_t slot = 0;
  if (!free_slots.empty()) {
    slot = free_slots.back();
    free_slots.pop_back();
    docs[slot] = doc;
  } else {
    slot = static_cast<std::uint32_t>(docs.size());
    docs.push_back(doc);
    popularity.emplace_back();
  }
  // Postings only grow; a stale entry (slot reused, or moved) is filtered by checking the doc.
  by_category[doc.category].push_back(slot);
  by_city[doc.city].push_back(slot);
  by_cell[cell_of(doc.lat, doc.lon)].push_back(slot);
  by_day[day_of(doc.local_start)].push_back(slot);
  return slot;
}

void Index::add_row(std::uint32_t slot, const Event& event, const Venue& venue) {
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
  for (const std::string* text :
       {&event.name, &performers, &venue.name, &venue.city, &tags, &event.description}) {
    learn_words(*text);
  }
}

}  // namespace boxoffice::search_detail

namespace boxoffice {
namespace {

// Adds to one of an indexed event's popularity counts: under the shared lock, so that the
// slot stays the event's, with an atomic add, so that searches and other adds go on.
void add_popularity(search_detail::Index& index, std::int64_t event_id,
                    std::atomic<std::uint32_t> search_detail::Popularity::*count,
                    std::uint32_t amount) {
  std::shared_lock lock(index.mutex);
  if (const auto it = index.slot_of.find(event_id); it != index.slot_of.end()) {
    (index.popularity[it->second].*count).fetch_add(amount, std::memory_order_relaxed);
  }
}

}  // namespace

void SearchService::record_view(std::int64_t event_id) {
  add_popularity(*current(), event_id, &search_detail::Popularity::views, 1);
}

void SearchService::record_sale(std::int64_t event_id, std::uint32_t units) {
  add_popularity(*current(), event_id, &search_detail::Popularity::sold, units);
}

}  // namespace boxoffice
