// gzip for the answers a client asks to have compressed (`Accept-Encoding: gzip`, as every
// browser sends), where it pays: text of a kilobyte or more. An arena's seat map is 1.2 MB of
// JSON and 165 KB gzipped; on a phone's 1.6 Mbps that is the difference between 6 s and 1 s.
//
// A compressed answer says `Content-Encoding: gzip`, and its ETag becomes weak (W/"…"): the
// bytes differ from the plain answer's, so a strong validator may not be shared (RFC 9110
// 8.8.1), while If-None-Match compares weakly, so either form revalidates to 304. Every
// answer of a compressible type says `Vary: Accept-Encoding`, so that caches keep the two
// apart. Streams (server-sent events) and answers already encoded are left alone.
//
// Answers with a strong ETag (seat maps, events, pages, scripts) are compressed once per
// resource and version and kept, up to compressed_cache_bytes_max in all; the rest (an
// availability answer of the moment, search results) are compressed as they go, at the
// fastest level. Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "http/server.hpp"

namespace boxoffice::http {

inline constexpr std::size_t compressed_bytes_min = 1024;  // below, headers outweigh the gain
inline constexpr std::size_t compressed_cache_bytes_max = 64 << 20;

// Whether an Accept-Encoding value accepts gzip: "gzip" (or "x-gzip", or "*") without q=0.
bool accepts_gzip(std::string_view accept_encoding);

// `text` in the gzip format (RFC 1952) at zlib's `level` (1 fastest … 9 smallest).
std::string gzip(std::string_view text, int level);

class Compression {
 public:
  // Compresses `response` in place when `request` accepts gzip and the answer is worth it.
  void apply(const Request& request, Response& response);

 private:
  std::shared_ptr<const std::string> compressed_once(const Request& request, std::string_view etag,
                                                     const std::string& text);

  std::mutex mutex_;
  // By request target and ETag: ETags are unique per resource, not across resources.
  std::unordered_map<std::string, std::shared_ptr<const std::string>> kept_;
  std::size_t kept_bytes_ = 0;
};

}  // namespace boxoffice::http
