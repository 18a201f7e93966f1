#include "core/catalog_codec.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "core/join_challenge.hpp"
#include "core/json_reader.hpp"

namespace boxoffice {
namespace {

constexpr std::size_t rows_per_section_max = 500;
constexpr std::size_t seats_per_row_max = 1'000;
constexpr std::size_t list_items_max = 50;  // performers, tags
constexpr double coordinate_max = 1e6;

std::string index_path(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

// Sections, areas and seats share one namespace of ids (index_layout() checks it too); the
// decoder checks it as it reads, so the error names the field of the second occurrence.
using IdPaths = std::map<std::string, std::string, std::less<>>;  // id → where it was first seen

void claim_id(JsonReader& reader, IdPaths& ids, const std::string& id, std::string path) {
  if (!reader.ok()) return;  // an id that failed to decode is "" and proves nothing
  const auto [it, inserted] = ids.emplace(id, path);
  if (!inserted) reader.fail("duplicate id \"" + id + "\" (also at " + it->second + ")", path);
}

void decode_seats(JsonReader& reader, const boost::json::array& seats, const std::string& path,
                  std::uint32_t section, std::uint32_t row, Layout& layout, IdPaths& ids) {
  for (std::size_t i = 0; i < seats.size(); ++i) {
    ObjectReader fields(reader, seats[i], index_path(path, i));
    Seat seat;
    seat.id = fields.text("id");
    claim_id(reader, ids, seat.id, fields.path_of("id"));
    seat.label = fields.optional_text("label").value_or(seat.id);
    seat.x = fields.number("x", -coordinate_max, coordinate_max);
    seat.y = fields.number("y", -coordinate_max, coordinate_max);
    seat.score = fields.optional_number("score", -coordinate_max, coordinate_max);
    seat.section = section;
    seat.row = row;
    layout.seats.push_back(std::move(seat));
  }
}

void decode_section(JsonReader& reader, const boost::json::value& value, const std::string& path,
                    Layout& layout, IdPaths& ids) {
  ObjectReader fields(reader, value, path);
  Section section;
  section.id = fields.text("id");
  claim_id(reader, ids, section.id, fields.path_of("id"));
  section.name = fields.optional_text("name").value_or(section.id);
  section.first_row = static_cast<std::uint32_t>(layout.rows.size());
  section.first_seat = static_cast<SeatIndex>(layout.seats.size());
  const auto section_index = static_cast<std::uint32_t>(layout.sections.size());
  const boost::json::array& rows = fields.array("rows", rows_per_section_max, true);
  for (std::size_t r = 0; r < rows.size() && reader.ok(); ++r) {
    const std::string row_path = fields.path_of("rows") + "[" + std::to_string(r) + "]";
    ObjectReader row_fields(reader, rows[r], row_path);
    Row row;
    row.label = row_fields.text("label");
    row.first_seat = static_cast<SeatIndex>(layout.seats.size());
    const boost::json::array& seats = row_fields.array("seats", seats_per_row_max, true);
    if (layout.seats.size() + seats.size() > layout_seats_max) {
      reader.fail("more than " + std::to_string(layout_seats_max) + " seats in the layout",
                  row_path);
      return;
    }
    decode_seats(reader, seats, row_fields.path_of("seats"), section_index,
                 static_cast<std::uint32_t>(layout.rows.size()), layout, ids);
    row.seat_count = static_cast<std::uint32_t>(layout.seats.size() - row.first_seat);
    if (row.seat_count == 0) reader.fail("a row needs at least one seat", row_path);
    layout.rows.push_back(std::move(row));
  }
  section.row_count = static_cast<std::uint32_t>(layout.rows.size() - section.first_row);
  section.seat_count = static_cast<std::uint32_t>(layout.seats.size() - section.first_seat);
  layout.sections.push_back(std::move(section));
}

Layout decode_layout(JsonReader& reader, const boost::json::value& value) {
  Layout layout;
  IdPaths ids;
  {
    ObjectReader fields(reader, value, "layout");
    if (const boost::json::value* stage = fields.object("stage", false)) {
      ObjectReader stage_fields(reader, *stage, "layout.stage");
      layout.stage = Point{stage_fields.number("x", -coordinate_max, coordinate_max),
                           stage_fields.number("y", -coordinate_max, coordinate_max)};
    }
    const boost::json::array& sections = fields.array("sections", layout_sections_max, false);
    for (std::size_t i = 0; i < sections.size() && reader.ok(); ++i) {
      decode_section(reader, sections[i], index_path("layout.sections", i), layout, ids);
    }
    const boost::json::array& areas = fields.array("ga_areas", layout_ga_areas_max, false);
    for (std::size_t i = 0; i < areas.size() && reader.ok(); ++i) {
      ObjectReader area_fields(reader, areas[i], index_path("layout.ga_areas", i));
      GaArea area;
      area.id = area_fields.text("id");
      claim_id(reader, ids, area.id, area_fields.path_of("id"));
      area.name = area_fields.optional_text("name").value_or(area.id);
      area.capacity =
          static_cast<std::uint32_t>(area_fields.integer("capacity", 1, ga_capacity_max));
      layout.ga_areas.push_back(std::move(area));
    }
  }  // unknown fields of the layout are reported here, before it is judged empty
  if (reader.ok() && layout.seats.empty() && layout.ga_areas.empty()) {
    reader.fail("a venue needs at least one seat or general-admission area", "layout");
  }
  return layout;
}

// One of an event's own limits, as `--rate-limit` writes them ("20/min:20"). An event can
// tighten or loosen its limits, not switch them off: "off" is the node operator's.
std::optional<EventRateLimit> decode_event_rate_limit(JsonReader& reader, ObjectReader& fields,
                                                      std::string_view key) {
  const std::optional<std::string> text = fields.optional_text(key, 32);
  if (!text || !reader.ok()) return std::nullopt;
  auto parsed = parse_rate_limit(*text, fields.path_of(key));
  if (!parsed) {
    reader.fail(std::move(parsed).error());
    return std::nullopt;
  }
  if (!*parsed) {
    reader.fail("\"off\": an event's limits can't be off; write one such as \"20/min:20\"",
                fields.path_of(key));
    return std::nullopt;
  }
  return EventRateLimit{*text, **parsed};
}

boost::json::array encode_strings(const std::vector<std::string>& strings) {
  boost::json::array array;
  for (const std::string& s : strings) array.emplace_back(s);
  return array;
}

}  // namespace

Result<Venue> decode_venue(const boost::json::value& body) {
  JsonReader reader;
  Venue venue;
  Layout layout;
  {
    ObjectReader fields(reader, body, "");
    venue.name = fields.text("name");
    venue.city = fields.text("city");
    venue.country = fields.text("country");
    venue.timezone = fields.text("timezone");
    venue.lat = fields.number("lat", -90, 90);
    venue.lon = fields.number("lon", -180, 180);
    if (const boost::json::value* value = fields.object("layout", true); value && reader.ok()) {
      layout = decode_layout(reader, *value);
    }
  }
  if (!reader.ok()) return reader.take_error();
  auto indexed = index_layout(std::move(layout));
  if (!indexed) {  // the decoder checks all index_layout() does; this is the backstop
    Error error = std::move(indexed).error();
    if (error.facts.field.empty()) error.facts.field = "layout";
    return error;
  }
  venue.layout = std::move(indexed).value();
  return venue;
}

boost::json::object encode_venue(const Venue& venue) {
  const Layout& layout = *venue.layout;
  boost::json::array sections;
  for (const Section& section : layout.sections) {
    boost::json::array rows;
    for (std::uint32_t r = section.first_row; r < section.first_row + section.row_count; ++r) {
      const Row& row = layout.rows[r];
      boost::json::array seats;
      for (SeatIndex s = row.first_seat; s < row.first_seat + row.seat_count; ++s) {
        const Seat& seat = layout.seats[s];
        boost::json::object object{
            {"id", seat.id}, {"label", seat.label}, {"x", seat.x}, {"y", seat.y}};
        if (seat.score) object["score"] = *seat.score;
        seats.push_back(std::move(object));
      }
      rows.push_back({{"label", row.label}, {"seats", std::move(seats)}});
    }
    sections.push_back({{"id", section.id}, {"name", section.name}, {"rows", std::move(rows)}});
  }
  boost::json::array areas;
  for (const GaArea& area : layout.ga_areas) {
    areas.push_back({{"id", area.id}, {"name", area.name}, {"capacity", area.capacity}});
  }
  boost::json::object encoded_layout{{"sections", std::move(sections)},
                                     {"ga_areas", std::move(areas)}};
  if (layout.stage) encoded_layout["stage"] = {{"x", layout.stage->x}, {"y", layout.stage->y}};
  boost::json::object object{{"name", venue.name},
                             {"city", venue.city},
                             {"country", venue.country},
                             {"timezone", venue.timezone},
                             {"lat", venue.lat},
                             {"lon", venue.lon},
                             {"layout", std::move(encoded_layout)}};
  if (venue.id != 0) object["id"] = venue.id;
  return object;
}

Result<Event> decode_event(const boost::json::value& body) {
  JsonReader reader;
  Event event;
  {
    ObjectReader fields(reader, body, "");
    event.venue_id = fields.integer("venue_id", 1, INT64_MAX);
    event.name = fields.text("name");
    for (const auto& performer : fields.array("performers", list_items_max, false)) {
      event.performers.push_back(reader.text_of(performer, fields.path_of("performers")));
    }
    event.category = fields.text("category");
    for (const auto& tag : fields.array("tags", list_items_max, false)) {
      event.tags.push_back(reader.text_of(tag, fields.path_of("tags")));
    }
    event.description = fields.optional_text("description", long_text_bytes_max).value_or("");
    event.cancelled = fields.optional_boolean("cancelled").value_or(false);
    event.starts_at = fields.time("starts_at");
    event.on_sale_at = fields.time("on_sale_at");
    const auto& levels = fields.array("price_levels", price_levels_max, true);
    for (std::size_t i = 0; i < levels.size(); ++i) {
      ObjectReader level_fields(reader, levels[i], index_path("price_levels", i));
      PriceLevel level;
      level.id = level_fields.text("id");
      level.name = level_fields.optional_text("name").value_or(level.id);
      level.price_cents = level_fields.integer("price_cents", 0, 100'000'000);
      level.currency = level_fields.text("currency", 3);
      // Three capital letters, as ISO 4217 writes them: also what keeps the search index's
      // currencies under search_currencies_max (26^3 = 17,576 at most).
      const bool iso =
          level.currency.size() == 3 && std::all_of(level.currency.begin(), level.currency.end(),
                                                    [](char c) { return c >= 'A' && c <= 'Z'; });
      if (reader.ok() && !iso) {
        reader.fail("expected an ISO 4217 code", level_fields.path_of("currency"));
      }
      event.price_levels.push_back(std::move(level));
    }
    if (const boost::json::value* pricing = fields.object("pricing", true); pricing) {
      for (const auto& [place, level] : pricing->get_object()) {
        event.pricing.emplace(place, reader.text_of(level, "pricing." + std::string(place)));
      }
    }
    event.max_per_order =
        static_cast<std::uint32_t>(fields.optional_integer("max_per_order", 1, max_per_order_max)
                                       .value_or(max_per_order_default));
    if (auto limit = fields.optional_integer("max_per_customer", 1, max_per_customer_max); limit) {
      event.max_per_customer = static_cast<std::uint32_t>(*limit);
    }
    event.hold_seconds = static_cast<std::uint32_t>(
        fields.optional_integer("hold_seconds", hold_seconds_min, hold_seconds_max)
            .value_or(hold_seconds_default));
    const auto& presales = fields.array("presales", presales_max, false);
    std::set<std::string> presale_ids;
    for (std::size_t i = 0; i < presales.size(); ++i) {
      ObjectReader presale_fields(reader, presales[i], index_path("presales", i));
      Presale presale;
      presale.id = presale_fields.text("id", 64);
      presale.name = presale_fields.optional_text("name").value_or(presale.id);
      presale.starts_at = presale_fields.time("starts_at");
      presale.ends_at = presale_fields.time("ends_at");
      if (reader.ok() && presale.ends_at <= presale.starts_at) {
        reader.fail("not after starts_at", presale_fields.path_of("ends_at"));
      }
      if (reader.ok() && !presale_ids.insert(presale.id).second) {
        reader.fail("duplicate id \"" + presale.id + "\"", presale_fields.path_of("id"));
      }
      event.presales.push_back(std::move(presale));
    }
    if (const boost::json::value* limits = fields.object("rate_limits", false); limits) {
      ObjectReader limit_fields(reader, *limits, "rate_limits");
      event.rate_limits.joins = decode_event_rate_limit(reader, limit_fields, "joins");
      event.rate_limits.holds = decode_event_rate_limit(reader, limit_fields, "holds");
    }
    if (const boost::json::value* room = fields.object("waiting_room", false); room) {
      ObjectReader room_fields(reader, *room, "waiting_room");
      WaitingRoom settings;
      settings.enabled = room_fields.optional_boolean("enabled").value_or(false);
      settings.active_limit =
          static_cast<std::uint32_t>(room_fields.integer("active_limit", 1, 10'000'000));
      settings.admit_per_second =
          static_cast<std::uint32_t>(room_fields.integer("admit_per_second", 1, 1'000'000));
      settings.session_seconds =
          static_cast<std::uint32_t>(room_fields.integer("session_seconds", 30, 86'400));
      settings.pre_queue_opens_at = room_fields.optional_time("pre_queue_opens_at");
      settings.poll_seconds_max = static_cast<std::uint32_t>(
          room_fields
              .optional_integer("poll_seconds_max", poll_seconds_max_min, poll_seconds_max_max)
              .value_or(poll_seconds_max_default));
      if (const boost::json::value* work = room_fields.object("proof_of_work", false); work) {
        ObjectReader work_fields(reader, *work, "waiting_room.proof_of_work");
        settings.proof_of_work_difficulty = static_cast<std::uint32_t>(
            work_fields.optional_integer("difficulty", 1, proof_of_work_difficulty_max)
                .value_or(proof_of_work_difficulty_default));
      }
      event.waiting_room = settings;
    }
  }
  if (!reader.ok()) return reader.take_error();
  return event;
}

boost::json::object encode_event(const Event& event) {
  boost::json::array levels;
  for (const PriceLevel& level : event.price_levels) {
    levels.push_back({{"id", level.id},
                      {"name", level.name},
                      {"price_cents", level.price_cents},
                      {"currency", level.currency}});
  }
  boost::json::object pricing;
  for (const auto& [place, level] : event.pricing) pricing[place] = level;
  boost::json::object object{{"venue_id", event.venue_id},
                             {"name", event.name},
                             {"performers", encode_strings(event.performers)},
                             {"category", event.category},
                             {"tags", encode_strings(event.tags)},
                             {"description", event.description},
                             {"starts_at", format_rfc3339(event.starts_at)},
                             {"on_sale_at", format_rfc3339(event.on_sale_at)},
                             {"price_levels", std::move(levels)},
                             {"pricing", std::move(pricing)},
                             {"max_per_order", event.max_per_order},
                             {"hold_seconds", event.hold_seconds},
                             {"published", event.published},
                             {"cancelled", event.cancelled},
                             {"version", event.version}};
  if (event.id != 0) object["id"] = event.id;
  if (event.max_per_customer) object["max_per_customer"] = *event.max_per_customer;
  boost::json::object limits;
  if (event.rate_limits.joins) limits["joins"] = event.rate_limits.joins->text;
  if (event.rate_limits.holds) limits["holds"] = event.rate_limits.holds->text;
  if (!limits.empty()) object["rate_limits"] = std::move(limits);
  if (!event.presales.empty()) {
    boost::json::array presales;
    for (const Presale& presale : event.presales) {
      presales.push_back({{"id", presale.id},
                          {"name", presale.name},
                          {"starts_at", format_rfc3339(presale.starts_at)},
                          {"ends_at", format_rfc3339(presale.ends_at)}});
    }
    object["presales"] = std::move(presales);
  }
  if (event.waiting_room) {
    const WaitingRoom& room = *event.waiting_room;
    boost::json::object settings{{"enabled", room.enabled},
                                 {"active_limit", room.active_limit},
                                 {"admit_per_second", room.admit_per_second},
                                 {"session_seconds", room.session_seconds},
                                 {"poll_seconds_max", room.poll_seconds_max}};
    if (room.pre_queue_opens_at) {
      settings["pre_queue_opens_at"] = format_rfc3339(*room.pre_queue_opens_at);
    }
    if (room.proof_of_work_difficulty > 0) {
      settings["proof_of_work"] = {{"difficulty", room.proof_of_work_difficulty}};
    }
    object["waiting_room"] = std::move(settings);
  }
  return object;
}

std::string encode_event_body(const Event& event) {
  boost::json::object body = encode_event(event);
  body.erase("id");
  body.erase("published");
  body.erase("version");
  return boost::json::serialize(body);
}

boost::json::object encode_seatmap(const Event& event, const Venue& venue) {
  boost::json::object map = encode_venue(venue).at("layout").as_object();
  for (auto& section : map["sections"].as_array()) {
    auto& object = section.as_object();
    object["price_level"] = event.pricing.at(std::string(object["id"].as_string()));
  }
  for (auto& area : map["ga_areas"].as_array()) {
    auto& object = area.as_object();
    object["price_level"] = event.pricing.at(std::string(object["id"].as_string()));
  }
  map["event_id"] = event.id;
  map["venue_id"] = venue.id;
  map["seat_count"] = venue.layout->seats.size();
  map["price_levels"] = encode_event(event).at("price_levels");
  return map;
}

}  // namespace boxoffice
