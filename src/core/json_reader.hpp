// A wire codec's tool: strict reading of JSON request bodies (and of what the stores keep in
// that form): every field is checked for type and range, and a
// field the reader never asked for is an error, never silently ignored (a misspelt
// "max_per_ordr" must not quietly fall back to the default). The first problem found is kept,
// with the path of the field ("layout.sections[2].rows[0].seats[5].x"), and reading goes on
// harmlessly so the caller checks once at the end.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "core/errors.hpp"
#include "core/json_parse.hpp"  // parse_json, which readers of bodies need first
#include "core/time.hpp"

namespace boxoffice {

inline constexpr std::size_t text_bytes_max = 200;          // names, ids, labels
inline constexpr std::size_t long_text_bytes_max = 10'000;  // descriptions

class JsonReader;

// Reads the fields of one JSON object.
class ObjectReader {
 public:
  ObjectReader(JsonReader& reader, const boost::json::value& value, std::string path);
  ~ObjectReader();  // reports fields nobody read

  bool has(std::string_view key) const;
  std::string text(std::string_view key, std::size_t bytes_max = text_bytes_max);
  std::optional<std::string> optional_text(std::string_view key,
                                           std::size_t bytes_max = text_bytes_max);
  double number(std::string_view key, double min, double max);
  std::optional<double> optional_number(std::string_view key, double min, double max);
  std::int64_t integer(std::string_view key, std::int64_t min, std::int64_t max);
  std::optional<std::int64_t> optional_integer(std::string_view key, std::int64_t min,
                                               std::int64_t max);
  std::optional<bool> optional_boolean(std::string_view key);
  UnixMillis time(std::string_view key);
  std::optional<UnixMillis> optional_time(std::string_view key);
  // The array (empty if absent and not required), bounded in length.
  const boost::json::array& array(std::string_view key, std::size_t items_max, bool required);
  // The value of a nested object field, or nullptr if absent (and not required).
  const boost::json::value* object(std::string_view key, bool required);
  std::string path_of(std::string_view key) const;

 private:
  const boost::json::value* field(std::string_view key, bool required);

  JsonReader& reader_;
  const boost::json::object* object_ = nullptr;
  std::string path_;
  std::set<std::string, std::less<>> read_;
};

// Collects the first error of a whole decode.
class JsonReader {
 public:
  void fail(std::string detail, std::string path);
  // The same with an error made elsewhere (a parser of its own that names the field).
  void fail(Error error);
  bool ok() const { return !error_; }
  const std::optional<Error>& error() const { return error_; }
  Error take_error() { return std::move(*error_); }
  // Reads a string element of an array.
  std::string text_of(const boost::json::value& value, std::string path,
                      std::size_t bytes_max = text_bytes_max);

 private:
  std::optional<Error> error_;
};

}  // namespace boxoffice
