#include "core/json_parse.hpp"

#include <algorithm>
#include <boost/container/small_vector.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/error.hpp>
#include <boost/json/value_stack.hpp>
#include <optional>
#include <string>

namespace boxoffice {
namespace {

namespace json = boost::json;

// Boost.JSON's parser events, passed on to a value_stack that builds the value as
// boost::json::parse does, while the keys of the objects still open are kept so that each
// object's end can look for a repeat (1.81 has no option for it). One pass over the body, and
// the small buffers below mean no allocation of our own for a body such as {"seats":[...]}.
class StrictHandler {
 public:
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  StrictHandler(unsigned char* buffer, std::size_t size) : values_({}, buffer, size) {
    values_.reset();
  }

  json::value release() { return values_.release(); }
  // The path of the member whose key came twice, if one did.
  const std::optional<std::string>& repeated() const { return repeated_; }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) { return open(true); }
  bool on_object_end(std::size_t n, json::error_code& ec);
  bool on_array_begin(json::error_code&) { return open(false); }
  bool on_array_end(std::size_t n, json::error_code&) {
    values_.push_array(n);
    return close();
  }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    values_.push_chars(s);
    key_text_.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code&);
  bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
    values_.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json::error_code&) {
    values_.push_string(s);
    return counted();
  }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t i, json::string_view, json::error_code&) {
    values_.push_int64(i);
    return counted();
  }
  bool on_uint64(std::uint64_t u, json::string_view, json::error_code&) {
    values_.push_uint64(u);
    return counted();
  }
  bool on_double(double d, json::string_view, json::error_code&) {
    values_.push_double(d);
    return counted();
  }
  bool on_bool(bool b, json::error_code&) {
    values_.push_bool(b);
    return counted();
  }
  bool on_null(json::error_code&) {
    values_.push_null();
    return counted();
  }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  struct Key {
    std::size_t begin, end;  // in key_text_
  };
  // An object or array being read: where its keys start in keys_, and how many values it has
  // so far (in an array, the index of the value being read: the path needs it).
  struct Frame {
    std::size_t first_key;
    std::size_t items;
    bool object;
  };

  bool open(bool object) {
    frames_.push_back({keys_.size(), 0, object});
    return true;
  }
  bool close();
  bool counted() {
    if (!frames_.empty()) ++frames_.back().items;
    return true;
  }
  std::string_view key(const Key& k) const {
    return std::string_view(key_text_).substr(k.begin, k.end - k.begin);
  }
  std::size_t key_text_end() const { return keys_.empty() ? 0 : keys_.back().end; }
  std::optional<std::string_view> repeated_key();
  std::string path_of(std::string_view member) const;

  json::value_stack values_;
  std::string key_text_;  // the keys of the open objects, back to back
  boost::container::small_vector<Key, 16> keys_;
  boost::container::small_vector<Frame, 8> frames_;
  boost::container::small_vector<std::string_view, 16> sorted_;  // repeated_key's scratch
  std::optional<std::string> repeated_;
};

bool StrictHandler::on_key(json::string_view s, std::size_t, json::error_code&) {
  values_.push_key(s);
  const std::size_t begin = key_text_end();  // any parts of this key were appended from here
  key_text_.append(s.data(), s.size());
  keys_.push_back({begin, key_text_.size()});
  return true;
}

bool StrictHandler::on_object_end(std::size_t n, json::error_code& ec) {
  if (const std::optional<std::string_view> twice = repeated_key()) {
    repeated_ = path_of(*twice);
    ec = json::error::syntax;  // stops the parser; parse_json reports repeated_ instead
    return false;
  }
  values_.push_object(n);  // would keep the last of a repeated key
  return close();
}

bool StrictHandler::close() {
  keys_.resize(frames_.back().first_key);
  key_text_.resize(key_text_end());
  frames_.pop_back();
  return counted();
}

// A key of the innermost open object that it has twice. Sorting makes large objects
// O(n log n), where comparing each key with those before it would let a body of many keys
// cost seconds.
std::optional<std::string_view> StrictHandler::repeated_key() {
  const std::size_t first = frames_.back().first_key;
  if (keys_.size() - first < 2) return std::nullopt;
  sorted_.clear();
  for (std::size_t i = first; i < keys_.size(); ++i) sorted_.push_back(key(keys_[i]));
  std::sort(sorted_.begin(), sorted_.end());
  const auto twice = std::adjacent_find(sorted_.begin(), sorted_.end());
  if (twice == sorted_.end()) return std::nullopt;
  return *twice;
}

// The path of `member` of the innermost open object, as ObjectReader writes paths:
// "layout.sections[2].id".
std::string StrictHandler::path_of(std::string_view member) const {
  std::string path;
  const auto add_member = [&path](std::string_view name) {
    if (!path.empty()) path += '.';
    path += name;
  };
  for (std::size_t i = 1; i < frames_.size(); ++i) {
    const Frame& parent = frames_[i - 1];
    if (parent.object) {
      add_member(key(keys_[frames_[i].first_key - 1]));  // the key this value came under
    } else {
      // Appended piece by piece: g++ 12 at -O3 warns falsely (-Wrestrict) of "[" + ... + "]".
      path += '[';
      path += std::to_string(parent.items);
      path += ']';
    }
  }
  add_member(member);
  return path;
}

}  // namespace

Result<json::value> parse_json(std::string_view body) {
  // As boost::json::parse: a small value is built in this buffer before it is allocated.
  unsigned char buffer[BOOST_JSON_STACK_BUFFER_SIZE];
  json::basic_parser<StrictHandler> parser(json::parse_options(), buffer, sizeof buffer);
  json::error_code error;
  const std::size_t used = parser.write_some(false, body.data(), body.size(), error);
  if (const std::optional<std::string>& path = parser.handler().repeated()) {
    return field_error(*path, "appears twice");
  }
  if (!error && used < body.size()) error = json::error::extra_data;
  if (error) return make_error(Errc::malformed_json, "the body is not JSON: " + error.message());
  return parser.handler().release();
}

}  // namespace boxoffice
