// The search service: event discovery over its own index, a derived read model of the catalog
// (DESIGN.md, "Search"). One index per node in both modes.
//
// The index is two parts kept in step: an SQLite FTS5 table of each event's text (name and
// performers weighted above venue, above tags, above description; prefix indexes for
// type-ahead), in a private database file (in the data dir) that several reader connections share
// through memory-mapped I/O; and, in memory, each event's numeric attributes (category, place,
// wall-clock start, prices, capacity, popularity) with postings by category, city, 1°
// geographic cell and wall-clock day, so filters, facets and ranking boosts never touch SQL.
// The FTS5 rowid of an event is its slot in memory. A query makes one pass over what its words
// match, inside FTS5: an auxiliary function of ours sees each matching row, filters it in
// memory, counts it into the total and the facets (exact, however many match), computes BM25
// only for the rows that pass (with each row's length kept in memory rather than read from the
// docsize table), and keeps the best page in a bounded heap; highlights are read for the page
// only. Queries without words make the same pass over the smallest posting list that their
// filters allow.
//
// Fed by the catalog: put()/remove() enqueue changes; one indexer thread applies them in
// batches (one transaction per batch, at most index_batch_max changes), and measures the lag
// from the moment the catalog saw a change to the moment it is searchable. rebuild() makes a
// fresh index from a full list off to the side and swaps it in; changes queued meanwhile are
// applied after it.
//
// Thread-safe: any number of searches run at once (a shared lock on the index, one reader
// connection each); the indexer takes the lock exclusively for the few milliseconds that a
// batch takes to commit.
//
// Answers are types (SearchResults, Suggestions below); http/search_json writes them as JSON.
//
// The files of services/search/, one concern each (each opens with how it works):
//   search.hpp            this contract: requests, typed answers, limits
//   index.{hpp,cpp}       one index: the FTS5 database and its reader pool, the Docs in memory,
//                         postings, interned strings, vocabulary, suggestion counts; its writes
//   filters.hpp           what a request filters on, and the test of each candidate
//   narrowing.{hpp,cpp}   posting lists intersected as a bitset, to narrow a query's pass
//   scan.{hpp,cpp}        the one pass: the FTS5 auxiliary function, facet counts, BM25, the
//                         bounded heap of the best page
//   match_expression.*    the FTS5 query of the words: typo tolerance (SymSpell), prefixes
//   cursor.{hpp,cpp}      keyset cursors between pages
//   search.cpp            search(): the request, understood, filtered, scanned, its page read
//   suggest.cpp           suggest(): type-ahead
//   indexer.cpp           the thread that applies changes in batches, and rebuilds
//   metrics.cpp, stats.hpp  counters and their /metrics lines
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/catalog.hpp"
#include "core/errors.hpp"
#include "core/search_query.hpp"
#include "core/time.hpp"
#include "services/catalog.hpp"

namespace boxoffice {

struct Metrics;

namespace search_detail {
struct Index;  // index.hpp
}  // namespace search_detail

inline constexpr std::size_t search_limit_default = 20;
inline constexpr std::size_t search_limit_max = 100;
inline constexpr std::size_t suggest_limit_max = 20;
inline constexpr std::size_t search_city_facets_max = 20;
inline constexpr std::size_t index_batch_max = 10'000;
inline constexpr std::size_t index_queue_max = 1'000'000;  // beyond: rebuild instead

// Distinct values of each kind among the indexed events, at most. The index names them by
// 16-bit ids to keep each event's attributes small; a value that no indexed event has any
// more is forgotten, so these bound what the catalog holds at once, not what it has ever held.
// The catalog guarantees them: it refuses (4xx) a venue or a category that would pass them,
// and a venue brings one name and one city; currencies are ISO 4217 codes (three letters). The
// index checks them (core/check.hpp) and aborts if one is passed anyway.
inline constexpr std::size_t search_categories_max = 65'535;
inline constexpr std::size_t search_cities_max = 65'535;
inline constexpr std::size_t search_venue_names_max = 65'535;
inline constexpr std::size_t search_currencies_max = 65'535;
static_assert(search_venue_names_max >= catalog_venues_max &&
              search_cities_max >= catalog_venues_max &&
              search_categories_max >= catalog_categories_max &&
              search_currencies_max >= 26 * 26 * 26);

struct SearchRequest {
  std::string q;
  std::optional<std::string> category;
  std::optional<std::string> city;  // a venue's city, exactly (folded)
  std::optional<UnixMillis> from;   // starts at or after
  std::optional<UnixMillis> to;     // starts before
  std::optional<double> lat, lon, radius_km;
  std::optional<std::int64_t> min_price_cents, max_price_cents;  // the cheapest ticket
  std::size_t limit = search_limit_default;
  std::optional<std::string> cursor;
  std::optional<std::string> tz;  // the asker's zone, for "tonight" when no city is named
  bool include_past = false;
  bool include_sold_out = true;  // sold-out events sink; false drops them
};

// The fields of a result that its words matched, each match in <mark>…</mark> (the text is not
// HTML-escaped). Absent: no match in that field, or the query had no words.
struct SearchHighlights {
  std::optional<std::string> name;
  std::optional<std::string> performers;
  std::optional<std::string> venue;
  std::optional<std::string> tags;
};

struct SearchResultVenue {
  std::int64_t id = 0;
  std::string name;
  std::string city;
  double lat = 0;
  double lon = 0;
};

struct SearchPriceRange {
  std::int64_t min_cents = 0;  // the cheapest ticket
  std::int64_t max_cents = 0;
  std::string currency;  // ISO 4217
};

// One event found.
struct SearchResult {
  std::int64_t id = 0;
  std::string name;
  std::vector<std::string> performers;
  std::string category;
  UnixMillis starts_at = 0;
  LocalMillis local_starts_at = 0;  // the same instant on the venue's wall clock
  SearchResultVenue venue;
  SearchPriceRange price_range;
  bool on_sale = false;  // on sale now, with seats left
  bool sold_out = false;
  double score = 0;  // relevance × boosts (core/search_rank.hpp), unrounded; best first
  SearchHighlights highlights;
  std::optional<double> distance_km;  // from the point searched around, when there is one
};

// How many of all the matches (not only the page's) have a value.
struct FacetCount {
  std::string value;
  std::uint32_t count = 0;
  bool operator==(const FacetCount&) const = default;
};

struct SearchFacets {
  std::vector<FacetCount> category;  // every category matched; most first, then by name
  std::vector<FacetCount> city;      // the search_city_facets_max cities with most, then by name
  std::vector<FacetCount> month;     // "2026-12": the month of the venue's wall clock, in order
  bool operator==(const SearchFacets&) const = default;
};

// How the query was read: what core/search_query made of `q`, in which zone relative dates
// were taken, and the indexed words that matched in place of words that matched nothing.
struct SearchUnderstanding {
  QueryUnderstanding query;
  std::string time_zone;  // the asker's (tz), else the named city's, else UTC
  std::vector<std::string> typo_corrections;
};

// An answer of search(): the page, and about every match the total and the facets (exact,
// however many match).
struct SearchResults {
  std::string q;  // as asked
  SearchUnderstanding understood;
  std::size_t total = 0;
  std::vector<SearchResult> results;  // best first, at most the request's limit
  SearchFacets facets;
  std::optional<std::string> next_cursor;  // the next page's SearchRequest::cursor; none: last
};

enum class SuggestionKind { performer, event, venue, city };

struct Suggestion {
  std::string text;  // as the catalog spells it
  SuggestionKind kind = SuggestionKind::event;
  std::uint32_t events = 0;  // indexed events that it belongs to
};

// An answer of suggest(): most events first, then by text.
struct Suggestions {
  std::vector<Suggestion> suggestions;
};

class SearchService {
 public:
  // Events with their venues: what a rebuild is made from.
  using EventsWithVenues =
      std::vector<std::pair<std::shared_ptr<const Event>, std::shared_ptr<const Venue>>>;

  // `metrics` may be null (tools, tests). The index files go in `index_dir` when given (a
  // folder of the index's own, emptied first: what a killed process left there is derived
  // data); else in the temporary folder, named by process id.
  explicit SearchService(Metrics* metrics = nullptr, std::filesystem::path index_dir = {});
  ~SearchService();
  SearchService(const SearchService&) = delete;
  SearchService& operator=(const SearchService&) = delete;

  // Enqueue a change; returns at once. `seen_at`: when the catalog saw it (for the lag).
  // put() of an unpublished event removes it.
  void put(std::shared_ptr<const Event> event, std::shared_ptr<const Venue> venue,
           UnixMillis seen_at);
  void remove(std::int64_t event_id, UnixMillis seen_at);
  // Replaces the whole index by one made from `events` (each with its venue), built aside and
  // swapped in; popularity counters are carried over. Returns at once with the number of this
  // rebuild, which rebuilt() tells is in use. Of rebuilds asked for while one is being built,
  // the last one's list is built next.
  std::uint64_t request_rebuild(EventsWithVenues events);
  bool rebuilt(std::uint64_t number) const;
  // request_rebuild, then waits until it is in use.
  void rebuild(EventsWithVenues events);
  // Returns once every change enqueued before the call is searchable.
  void flush();

  // GET /v1/search. `now` ranks and resolves relative dates (a cursor brings its first page's
  // `now` along, so that time boosts don't move between pages). Errors: invalid_field (a bad
  // cursor, limit or coordinates; `q` when FTS5 fails on its expression).
  Result<SearchResults> search(const SearchRequest& request, UnixMillis now) const;
  // GET /v1/search/suggest: performers, events, venues and cities whose words start with what
  // was typed, most events first; at most `limit` (clamped to 1..suggest_limit_max).
  Suggestions suggest(std::string_view prefix, std::size_t limit) const;

  // Popularity as this node sees it: a view of the event's page, tickets sold.
  void record_view(std::int64_t event_id);
  void record_sale(std::int64_t event_id, std::uint32_t units);

  // For /metrics and the benchmark.
  std::size_t indexed_events() const;
  std::uint64_t index_bytes() const;  // the FTS database's size
  std::string render_metrics() const;

 private:
  struct Change {
    std::int64_t event_id = 0;
    std::shared_ptr<const Event> event;  // null: remove
    std::shared_ptr<const Venue> venue;
    UnixMillis seen_at = 0;
  };

  void run();
  void apply(std::vector<Change>& batch);
  void rebuild_aside(const EventsWithVenues& events);
  std::shared_ptr<search_detail::Index> current() const;

  Metrics* metrics_;
  const std::filesystem::path index_dir_;  // "": the temporary folder
  mutable std::mutex index_mutex_;         // guards index_ (the pointer)
  std::shared_ptr<search_detail::Index> index_;

  mutable std::mutex queue_mutex_;
  std::condition_variable queue_changed_;
  std::deque<Change> queue_;
  EventsWithVenues pending_rebuild_;
  std::uint64_t rebuilds_requested_ = 0;  // numbers handed out by request_rebuild
  std::uint64_t rebuilds_done_ = 0;       // the number of the rebuild in use
  std::uint64_t enqueued_ = 0;
  std::uint64_t applied_ = 0;
  bool stopping_ = false;

  struct Stats;  // stats.hpp
  std::unique_ptr<Stats> stats_;
  std::thread indexer_;  // last: starts when everything else exists
};

}  // namespace boxoffice
