// Reading the few fields the simulator needs from the server's JSON answers.
#pragma once

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace onsale {

inline boost::json::object object_of(std::string_view body) {
  boost::system::error_code error;
  auto value = boost::json::parse(body, error);
  if (error || !value.is_object()) return {};
  return std::move(value.get_object());
}

inline std::string text_of(const boost::json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  if (value == nullptr || !value->is_string()) return {};
  return std::string(value->get_string());
}

inline std::int64_t number_of(const boost::json::object& object, std::string_view key,
                              std::int64_t otherwise = -1) {
  const auto* value = object.if_contains(key);
  if (value == nullptr) return otherwise;
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64()) return static_cast<std::int64_t>(value->get_uint64());
  return otherwise;
}

// A problem's type without its "/problems/" prefix ("seats-unavailable"), or "".
inline std::string problem_of(std::string_view body) {
  auto type = text_of(object_of(body), "type");
  constexpr std::string_view prefix = "/problems/";
  if (type.starts_with(prefix)) type.erase(0, prefix.size());
  return type;
}

}  // namespace onsale
