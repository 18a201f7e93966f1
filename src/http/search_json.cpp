#include "http/search_json.hpp"

#include <boost/json.hpp>
#include <cmath>

#include "core/search_query.hpp"
#include "core/time.hpp"

namespace boxoffice::http {
namespace {

namespace json = boost::json;

std::string local_rfc3339(LocalMillis local) {
  std::string text = format_rfc3339(local);
  if (!text.empty() && text.back() == 'Z') text.pop_back();  // a wall-clock time has no zone
  return text;
}

std::string_view kind_name(SuggestionKind kind) {
  switch (kind) {
    case SuggestionKind::performer:
      return "performer";
    case SuggestionKind::event:
      return "event";
    case SuggestionKind::venue:
      return "venue";
    case SuggestionKind::city:
      return "city";
  }
  return "event";  // not reached: the switch names every kind
}

json::object understood_json(const SearchUnderstanding& understood) {
  const QueryUnderstanding& query = understood.query;
  json::object out{{"words", json::array(query.words.begin(), query.words.end())},
                   {"summary", query.summary},
                   {"time_zone", understood.time_zone}};
  if (query.category) out["category"] = *query.category;
  if (query.topic) out["topic"] = *query.topic;
  if (query.city) {
    out["city"] = {{"name", query.city->name},
                   {"lat", query.city->lat},
                   {"lon", query.city->lon},
                   {"radius_km", query.city->radius_km}};
  }
  if (query.dates) {
    out["dates"] = {{"from", local_rfc3339(query.dates->from)},
                    {"to", local_rfc3339(query.dates->to)},
                    {"label", query.dates->label},
                    {"in", "the venue's local time"}};
  }
  const std::vector<std::string>& corrected = understood.typo_corrections;
  if (!corrected.empty()) out["typo_corrections"] = json::array(corrected.begin(), corrected.end());
  return out;
}

json::object result_json(const SearchResult& result) {
  json::object highlights;
  for (const auto& [member, text] :
       {std::pair{"name", &result.highlights.name},
        std::pair{"performers", &result.highlights.performers},
        std::pair{"venue", &result.highlights.venue}, std::pair{"tags", &result.highlights.tags}}) {
    if (*text) highlights[member] = **text;
  }
  const SearchResultVenue& venue = result.venue;
  const SearchPriceRange& price = result.price_range;
  json::object item{{"id", result.id},
                    {"name", result.name},
                    {"performers", json::array(result.performers.begin(), result.performers.end())},
                    {"category", result.category},
                    {"starts_at", format_rfc3339(result.starts_at)},
                    {"local_starts_at", local_rfc3339(result.local_starts_at)},
                    {"venue",
                     {{"id", venue.id},
                      {"name", venue.name},
                      {"city", venue.city},
                      {"lat", venue.lat},
                      {"lon", venue.lon}}},
                    {"price_range",
                     {{"min_cents", price.min_cents},
                      {"max_cents", price.max_cents},
                      {"currency", price.currency}}},
                    {"on_sale", result.on_sale},
                    {"sold_out", result.sold_out},
                    {"score", std::round(result.score * 10'000) / 10'000},
                    {"highlights", std::move(highlights)}};
  if (result.distance_km) item["distance_km"] = std::round(*result.distance_km * 10) / 10;
  return item;
}

// Categories are shown with their label ("Concerts").
json::array facet_json(const std::vector<FacetCount>& counts, bool categories) {
  json::array out;
  for (const FacetCount& facet : counts) {
    json::object item{{"value", facet.value}, {"count", facet.count}};
    if (categories) item["label"] = category_label(facet.value);
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace

json::object search_results_json(const SearchResults& results) {
  json::array items;
  for (const SearchResult& result : results.results) items.push_back(result_json(result));
  json::object answer{
      {"query", {{"q", results.q}, {"understood", understood_json(results.understood)}}},
      {"total", results.total},
      {"results", std::move(items)},
      {"facets",
       {{"category", facet_json(results.facets.category, true)},
        {"city", facet_json(results.facets.city, false)},
        {"month", facet_json(results.facets.month, false)}}}};
  answer["next_cursor"] =
      results.next_cursor ? json::value(*results.next_cursor) : json::value(nullptr);
  return answer;
}

json::object suggestions_json(const Suggestions& suggestions) {
  json::array out;
  for (const Suggestion& suggestion : suggestions.suggestions) {
    out.push_back({{"text", suggestion.text},
                   {"kind", kind_name(suggestion.kind)},
                   {"events", suggestion.events}});
  }
  return {{"suggestions", std::move(out)}};
}

}  // namespace boxoffice::http
