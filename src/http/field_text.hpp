// Reading the values of HTTP fields (RFC 9110 §5.6): what the parsers of Forwarded,
// X-Forwarded-For and Accept-Encoding share.
#pragma once

#include <string_view>

namespace boxoffice::http {

// Optional whitespace (OWS): a space or a horizontal tab.
inline bool is_ows(char c) { return c == ' ' || c == '\t'; }

// `text` without the optional whitespace at either end.
inline std::string_view trimmed(std::string_view text) {
  while (!text.empty() && is_ows(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_ows(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace boxoffice::http
