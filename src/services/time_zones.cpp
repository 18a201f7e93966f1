#include "services/time_zones.hpp"

#include <date/tz.h>

#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

namespace boxoffice {
namespace {

using std::chrono::milliseconds;

// locate_zone searches a sorted vector of ~600 zones; a venue's zone is looked up per event
// indexed, so the answers are kept.
const date::time_zone* find_zone(std::string_view name) {
  static std::shared_mutex mutex;
  static std::unordered_map<std::string, const date::time_zone*> zones;
  std::string key(name);
  {
    std::shared_lock lock(mutex);
    if (const auto it = zones.find(key); it != zones.end()) return it->second;
  }
  const date::time_zone* zone = nullptr;
  try {
    zone = date::locate_zone(key);
  } catch (const std::exception&) {
    zone = nullptr;  // unknown: UTC
  }
  std::unique_lock lock(mutex);
  zones.emplace(std::move(key), zone);
  return zone;
}

}  // namespace

LocalMillis to_local(std::string_view zone, UnixMillis at) {
  const date::time_zone* tz = find_zone(zone);
  if (tz == nullptr) return at;
  const date::sys_time<milliseconds> instant{milliseconds(at)};
  return tz->to_local(instant).time_since_epoch().count();
}

UnixMillis to_utc(std::string_view zone, LocalMillis local) {
  const date::time_zone* tz = find_zone(zone);
  if (tz == nullptr) return local;
  const date::local_time<milliseconds> wall{milliseconds(local)};
  const date::local_info info = tz->get_info(date::floor<std::chrono::seconds>(wall));
  const auto offset = std::chrono::duration_cast<milliseconds>(info.first.offset);
  return local - offset.count();
}

bool known_time_zone(std::string_view zone) { return find_zone(zone) != nullptr; }

}  // namespace boxoffice
