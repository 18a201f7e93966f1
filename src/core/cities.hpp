// Real cities with their coordinates, IANA time zones and the names people call them by: the
// query parser's gazetteer ("LA", "NYC", "the bay area") and the catalog generator's map.
// Written in the source (about fifty cities, no download); coordinates are city centres.
#pragma once

#include <span>
#include <string_view>

namespace boxoffice {

struct CityInfo {
  std::string_view name;      // as venues spell it: "Los Angeles"
  std::string_view country;   // ISO 3166-1 alpha-2
  std::string_view timezone;  // IANA
  std::string_view currency;  // ISO 4217
  double lat = 0;
  double lon = 0;
  // A query naming the city means venues within this distance of its centre: "LA" takes in
  // Inglewood and Anaheim, "the bay area" San Jose and Oakland.
  double radius_km = 40;
  // Other names, folded (lower case, no diacritics); the folded name itself always counts.
  std::span<const std::string_view> aliases;
  // Relative size, for the generator: how many venues and events a city gets.
  int weight = 1;
};

// Every city the parser knows, largest first.
std::span<const CityInfo> known_cities();

}  // namespace boxoffice
