#include "core/json_reader.hpp"

namespace boxoffice {
namespace {

// Whether `key` has a value; null means absent, as everywhere in this reader.
bool present(const boost::json::object* object, std::string_view key) {
  if (object == nullptr) return false;
  const boost::json::value* value = object->if_contains(key);
  return value != nullptr && !value->is_null();
}

}  // namespace

void JsonReader::fail(std::string detail, std::string path) {
  if (error_) return;  // the first problem is the one worth reporting
  error_ = field_error(path, detail);
}

void JsonReader::fail(Error error) {
  if (!error_) error_ = std::move(error);
}

std::string JsonReader::text_of(const boost::json::value& value, std::string path,
                                std::size_t bytes_max) {
  if (!value.is_string()) {
    fail("expected a string", path);
    return {};
  }
  const boost::json::string& text = value.get_string();
  if (text.size() > bytes_max) {
    fail("longer than " + std::to_string(bytes_max) + " bytes", path);
    return {};
  }
  return std::string(text);
}

ObjectReader::ObjectReader(JsonReader& reader, const boost::json::value& value, std::string path)
    : reader_(reader), path_(std::move(path)) {
  if (value.is_object()) {
    object_ = &value.get_object();
  } else {
    reader_.fail("expected an object", path_.empty() ? "(body)" : path_);
  }
}

ObjectReader::~ObjectReader() {
  if (object_ == nullptr) return;
  for (const auto& [key, value] : *object_) {
    if (!read_.contains(std::string_view(key))) {
      reader_.fail("unknown field", path_of(key));
      return;
    }
  }
}

std::string ObjectReader::path_of(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

bool ObjectReader::has(std::string_view key) const {
  return object_ != nullptr && object_->contains(key);
}

const boost::json::value* ObjectReader::field(std::string_view key, bool required) {
  if (object_ == nullptr) return nullptr;
  read_.emplace(key);
  const boost::json::value* value = object_->if_contains(key);
  if (value != nullptr && value->is_null()) value = nullptr;  // null means absent
  if (value == nullptr && required) reader_.fail("required", path_of(key));
  return value;
}

std::optional<std::string> ObjectReader::optional_text(std::string_view key,
                                                       std::size_t bytes_max) {
  const boost::json::value* value = field(key, false);
  if (value == nullptr) return std::nullopt;
  return reader_.text_of(*value, path_of(key), bytes_max);
}

std::string ObjectReader::text(std::string_view key, std::size_t bytes_max) {
  const boost::json::value* value = field(key, true);
  if (value == nullptr) return {};
  std::string text = reader_.text_of(*value, path_of(key), bytes_max);
  if (reader_.ok() && text.empty()) reader_.fail("must not be empty", path_of(key));
  return text;
}

std::optional<double> ObjectReader::optional_number(std::string_view key, double min, double max) {
  const boost::json::value* value = field(key, false);
  if (value == nullptr) return std::nullopt;
  if (!value->is_number()) {
    reader_.fail("expected a number", path_of(key));
    return std::nullopt;
  }
  const double number = value->to_number<double>();
  if (!(number >= min && number <= max)) {  // also rejects NaN
    reader_.fail("out of range", path_of(key));
    return std::nullopt;
  }
  return number;
}

double ObjectReader::number(std::string_view key, double min, double max) {
  if (!present(object_, key)) field(key, true);  // absent or null: "required"
  return optional_number(key, min, max).value_or(0);
}

std::optional<std::int64_t> ObjectReader::optional_integer(std::string_view key, std::int64_t min,
                                                           std::int64_t max) {
  const boost::json::value* value = field(key, false);
  if (value == nullptr) return std::nullopt;
  std::optional<std::int64_t> integer;
  if (value->is_int64()) integer = value->get_int64();
  if (value->is_uint64() && value->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    integer = static_cast<std::int64_t>(value->get_uint64());
  }
  if (!integer) {
    reader_.fail("expected an integer", path_of(key));
    return std::nullopt;
  }
  if (*integer < min || *integer > max) {
    reader_.fail("must be between " + std::to_string(min) + " and " + std::to_string(max),
                 path_of(key));
    return std::nullopt;
  }
  return integer;
}

std::int64_t ObjectReader::integer(std::string_view key, std::int64_t min, std::int64_t max) {
  if (!present(object_, key)) field(key, true);  // absent or null: "required"
  return optional_integer(key, min, max).value_or(0);
}

std::optional<bool> ObjectReader::optional_boolean(std::string_view key) {
  const boost::json::value* value = field(key, false);
  if (value == nullptr) return std::nullopt;
  if (!value->is_bool()) {
    reader_.fail("expected true or false", path_of(key));
    return std::nullopt;
  }
  return value->get_bool();
}

std::optional<UnixMillis> ObjectReader::optional_time(std::string_view key) {
  const std::optional<std::string> text = optional_text(key, 64);
  if (!text || !reader_.ok()) return std::nullopt;
  const std::optional<UnixMillis> time = parse_rfc3339(*text);
  if (!time) reader_.fail("expected an RFC 3339 time such as 2026-12-05T19:30:00Z", path_of(key));
  return time;
}

UnixMillis ObjectReader::time(std::string_view key) {
  if (!present(object_, key)) field(key, true);  // absent or null: "required"
  return optional_time(key).value_or(0);
}

const boost::json::array& ObjectReader::array(std::string_view key, std::size_t items_max,
                                              bool required) {
  static const boost::json::array empty;
  const boost::json::value* value = field(key, required);
  if (value == nullptr) return empty;
  if (!value->is_array()) {
    reader_.fail("expected an array", path_of(key));
    return empty;
  }
  if (value->get_array().size() > items_max) {
    reader_.fail("more than " + std::to_string(items_max) + " items", path_of(key));
    return empty;
  }
  return value->get_array();
}

const boost::json::value* ObjectReader::object(std::string_view key, bool required) {
  const boost::json::value* value = field(key, required);
  if (value != nullptr && !value->is_object()) {
    reader_.fail("expected an object", path_of(key));
    return nullptr;
  }
  return value;
}

}  // namespace boxoffice
