// SearchService::search(): from a request to a page of typed results.
//
//   1. check the request alone: page size, cursor (whose clock replaces `now`), coordinates;
//   2. understand the words (core/search_query) in the asker's zone: the one given, else the
//      named city's, else UTC; when the words name a city and no zone was given, once more in
//      that city's zone, so that "tonight in London" is London's tonight;
//   3. under the index's shared lock, resolve the filters against it (a category or city that
//      no event has), narrow by posting lists, and make the one pass (scan.cpp) over what the
//      words match, or without words over the narrowed slots;
//   4. read the page's text (name, performers, highlights) from FTS5, one row per result, and
//      take everything else from memory.
// Errors are the request's (invalid_field); a failure to read one result's text is logged and
// the result kept without it.
#include "services/search/search.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <span>

#include "core/search_text.hpp"
#include "services/search/cursor.hpp"
#include "services/search/index.hpp"
#include "services/search/match_expression.hpp"
#include "services/search/scan.hpp"
#include "services/search/stats.hpp"
#include "services/time_zones.hpp"

namespace boxoffice {
namespace {

using search_detail::Cursor;
using search_detail::Filters;
using search_detail::Hit;
using search_detail::Index;
using search_detail::Reader;
using search_detail::StringPool;

constexpr double radius_default_km = 50.0;
constexpr double radius_max_km = 20'000.0;

// What a request says before the index is looked at.
struct Checked {
  std::optional<Cursor> cursor;
  UnixMillis now = 0;                        // the cursor's, on pages after the first
  std::optional<std::array<double, 3>> geo;  // lat, lon, radius in km
};

Result<Checked> check(const SearchRequest& request, UnixMillis now) {
  if (request.limit == 0 || request.limit > search_limit_max) {
    return field_error("limit", "between 1 and " + std::to_string(search_limit_max));
  }
  Checked out{std::nullopt, now, std::nullopt};
  if (request.cursor) {
    out.cursor = search_detail::decode_cursor(*request.cursor);
    if (!out.cursor) return field_error("cursor", "not a cursor of this search");
    out.now = out.cursor->now;  // the same clock for every page: time boosts don't move
  }
  if (request.lat.has_value() != request.lon.has_value()) {
    return field_error(request.lat ? "lon" : "lat", "lat and lon go together");
  }
  if (request.lat) {
    const double radius = request.radius_km.value_or(radius_default_km);
    if (std::abs(*request.lat) > 90 || std::abs(*request.lon) > 180) {
      return field_error("lat", "lat within ±90, lon within ±180");
    }
    if (!(radius > 0 && radius <= radius_max_km)) {
      return field_error("radius_km", "between 0 and 20000");
    }
    out.geo = std::array<double, 3>{*request.lat, *request.lon, radius};
  }
  return out;
}

const CityInfo* known_city(std::string_view name) {
  const std::string folded = fold_text(name);
  for (const CityInfo& city : known_cities()) {
    if (fold_text(city.name) == folded) return &city;
  }
  return nullptr;
}

SearchUnderstanding understand(const SearchRequest& request, UnixMillis now) {
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
    understood =
        understand_query(request.q, to_local(zone, now), known_cities(), known_category_synonyms());
  }
  return {std::move(understood), std::move(zone), {}};
}

// The request's filters and what the words understood, resolved against `index` (under its
// lock): names of categories and cities become ids.
Filters filters_of(const SearchRequest& request, const QueryUnderstanding& understood,
                   const Checked& checked, const Index& index) {
  Filters filters;
  filters.geo = checked.geo;
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
  if (category) {
    filters.category = index.categories.find(*category);
    filters.category_unknown = !filters.category;
  }
  if (request.city) {
    const std::string folded = fold_text(*request.city);
    filters.cities.assign(index.cities.ids(), false);
    for (std::size_t i = 0; i < filters.cities.size(); ++i) {
      if (index.cities.folded(static_cast<std::uint16_t>(i)) == folded) filters.cities[i] = true;
    }
  }
  return filters;
}

std::vector<std::string> split_performers(const std::string& performers) {
  std::vector<std::string> out;
  for (std::size_t start = 0; !performers.empty();) {
    const std::size_t comma = performers.find(", ", start);
    out.push_back(performers.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 2;
  }
  return out;
}

// A result's name, performers and highlights, from its FTS5 row: with the words' matches marked
// when there are words (`expression`).
void read_text(Reader& reader, const std::string& expression, std::uint32_t slot, std::int64_t id,
               SearchResult& result) {
  std::string performers;
  try {
    if (!expression.empty()) {
      SQLite::Statement& statement = *reader.page;
      statement.reset();
      statement.bind(1, expression);
      statement.bind(2, static_cast<std::int64_t>(slot));
      if (statement.executeStep()) {
        SearchHighlights& highlights = result.highlights;
        const std::array<std::optional<std::string>*, 4> columns = {
            &highlights.name, &highlights.performers, &highlights.venue, &highlights.tags};
        for (int c = 0; c < 4; ++c) {
          std::string text = statement.getColumn(c).getString();
          if (text.find("<mark>") != std::string::npos) {
            *columns[static_cast<std::size_t>(c)] = std::move(text);
          }
        }
        result.name = statement.getColumn(4).getString();
        performers = statement.getColumn(5).getString();
      }
    } else {
      SQLite::Statement& statement = *reader.plain;
      statement.reset();
      statement.bind(1, static_cast<std::int64_t>(slot));
      if (statement.executeStep()) {
        result.name = statement.getColumn(0).getString();
        performers = statement.getColumn(1).getString();
      }
    }
  } catch (const SQLite::Exception& e) {
    spdlog::warn("search: reading event {} failed: {}", id, e.what());
  }
  result.performers = split_performers(performers);
}

// A result's attributes, from memory.
SearchResult result_of(const Index& index, const Hit& hit, const Filters& filters, UnixMillis now) {
  const search_detail::Doc& doc = index.docs[hit.slot];
  const bool sold_out = doc.capacity > 0 && index.popularity[hit.slot].sold.load() >= doc.capacity;
  SearchResult result;
  result.id = doc.id;
  result.category = index.categories.text(doc.category);
  result.starts_at = doc.starts_at;
  result.local_starts_at = doc.local_start;
  result.venue = {doc.venue_id, index.venue_names.text(doc.venue_name), index.cities.text(doc.city),
                  doc.lat, doc.lon};
  result.price_range = {doc.min_price, doc.max_price, index.currencies.text(doc.currency)};
  result.on_sale = doc.on_sale_at <= now && !sold_out;
  result.sold_out = sold_out;
  result.score = hit.score;
  if (filters.geo) {
    result.distance_km = distance_km((*filters.geo)[0], (*filters.geo)[1], doc.lat, doc.lon);
  }
  return result;
}

std::vector<SearchResult> read_page(const Index& index, std::span<const Hit> hits,
                                    const std::string& expression, const Filters& filters,
                                    UnixMillis now) {
  std::vector<SearchResult> out;
  if (hits.empty()) return out;
  std::unique_ptr<Reader> reader = index.take_reader();
  for (const Hit& hit : hits) {
    SearchResult& result = out.emplace_back(result_of(index, hit, filters, now));
    read_text(*reader, expression, hit.slot, result.id, result);
  }
  index.give_back(std::move(reader));
  return out;
}

// Counted strings, most first, then by name; at most `max`.
std::vector<FacetCount> facet(const std::vector<std::uint32_t>& counts, const StringPool& names,
                              std::size_t max) {
  std::vector<std::pair<std::uint16_t, std::uint32_t>> sorted;
  for (std::size_t id = 0; id < counts.size(); ++id) {
    if (counts[id] > 0) sorted.emplace_back(static_cast<std::uint16_t>(id), counts[id]);
  }
  std::sort(sorted.begin(), sorted.end(), [&](const auto& a, const auto& b) {
    if (a.second != b.second) return a.second > b.second;
    return names.text(a.first) < names.text(b.first);
  });
  if (sorted.size() > max) sorted.resize(max);
  std::vector<FacetCount> out;
  for (const auto& [id, count] : sorted) out.push_back({names.text(id), count});
  return out;
}

std::string month_label(std::int32_t month) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d", month / 12, month % 12 + 1);
  return text;
}

SearchFacets facets_of(const Index& index, const search_detail::Scan& scan) {
  SearchFacets out;
  out.category = facet(scan.by_category, index.categories, SIZE_MAX);
  out.city = facet(scan.by_city, index.cities, search_city_facets_max);
  for (const auto& [month, count] : scan.month_counts()) {
    out.month.push_back({month_label(month), count});
  }
  return out;
}

}  // namespace

Result<SearchResults> SearchService::search(const SearchRequest& request, UnixMillis now) const {
  stats_->queries.add();
  Result<Checked> checked = check(request, now);
  if (!checked) return std::move(checked).error();
  now = checked->now;
  SearchResults answer;
  answer.q = request.q;
  answer.understood = understand(request, now);
  const QueryUnderstanding& understood = answer.understood.query;

  const auto index = current();
  std::shared_lock lock(index->mutex);
  const Filters filters = filters_of(request, understood, *checked, *index);
  // One pass over the candidates: what the words match (inside FTS5, with BM25), or the
  // smallest posting list that the filters allow (relevance 1: the boosts rank).
  const search_detail::Narrowed narrowed =
      filters.category_unknown ? search_detail::Narrowed{} : narrow(*index, filters);
  search_detail::Scan scan(*index, filters, narrowed, now, checked->cursor, request.limit + 1);
  search_detail::MatchExpression expression;
  if (!filters.category_unknown && !understood.words.empty()) {
    const bool prefix_last = !request.q.empty() && request.q.back() != ' ';
    expression = match_expression(*index, understood.words, prefix_last);
    answer.understood.typo_corrections = expression.corrected;
    if (!expression.text.empty()) {
      scan.phrases = expression.phrases;
      if (const auto error = scan_matches(*index, scan, expression.text)) {
        return field_error("q", "can't be searched: " + *error);
      }
    }
  } else if (!filters.category_unknown) {
    scan_slots(scan);
  }
  answer.total = scan.total;
  const bool more = scan.after_cursor > request.limit;
  const std::vector<Hit> hits = scan.ranked();
  const std::size_t page = std::min(hits.size(), request.limit);
  answer.results = read_page(*index, std::span(hits).first(page), expression.text, filters, now);
  answer.facets = facets_of(*index, scan);
  if (more && page > 0) {
    const Hit& last = hits[page - 1];
    answer.next_cursor = search_detail::encode_cursor(Cursor{last.score, last.id, now});
  }
  return answer;
}

}  // namespace boxoffice
