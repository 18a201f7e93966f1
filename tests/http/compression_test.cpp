// gzip for answers (http/compression.hpp): what Accept-Encoding accepts, that a compressed
// answer inflates back to the plain one, its headers (Content-Encoding, a weak ETag, Vary), and
// what is left alone: small answers, streams, binary types, clients that don't ask.
#include "http/compression.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

namespace boxoffice::http {
namespace {

std::string gunzip(const std::string& compressed) {
  z_stream stream{};
  EXPECT_EQ(inflateInit2(&stream, 15 + 16), Z_OK);  // gzip's header and trailer only
  std::string out;
  std::string chunk(64 * 1024, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  int result = Z_OK;
  while (result == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk.data());
    stream.avail_out = static_cast<uInt>(chunk.size());
    result = inflate(&stream, Z_NO_FLUSH);
    out.append(chunk.data(), chunk.size() - stream.avail_out);
  }
  EXPECT_EQ(result, Z_STREAM_END);
  inflateEnd(&stream);
  return out;
}

// A seat map's kind of text: long, and repetitive.
std::string json_text(std::size_t seats) {
  std::string text = R"({"seats":[)";
  for (std::size_t i = 0; i < seats; ++i) {
    text += R"({"id":"S1-R)" + std::to_string(i / 20) + "-" + std::to_string(i % 20) + R"(","x":)" +
            std::to_string(i % 20) + "},";
  }
  text.back() = ']';
  return text + "}";
}

Request get(std::string_view accept_encoding, std::string target = "/v1/events/1/seatmap") {
  Request request{bhttp::verb::get, target, 11};
  if (!accept_encoding.empty()) request.set(bhttp::field::accept_encoding, accept_encoding);
  return request;
}

Response answer(std::string body, std::string_view type = "application/json") {
  Response response{bhttp::status::ok, 11};
  response.set(bhttp::field::content_type, type);
  response.body() = std::move(body);
  return response;
}

TEST(Compression, AcceptEncodingIsReadAsRfc9110SaysIt) {
  for (const char* yes : {"gzip", "gzip, deflate, br", "br;q=1.0, GZIP;q=0.5", "x-gzip", "*",
                          "deflate, *;q=0.1", " gzip ; q=1 "}) {
    EXPECT_TRUE(accepts_gzip(yes)) << yes;
  }
  for (const char* no : {"", "identity", "br, deflate", "gzip;q=0", "gzip;q=0.0, *", "*;q=0",
                         "gzip;q=nonsense", "gzipped"}) {
    EXPECT_FALSE(accepts_gzip(no)) << no;
  }
}

TEST(Compression, GzipInflatesBackToTheText) {
  const std::string text = json_text(5000);
  for (const int level : {1, 6, 9}) {
    const std::string compressed = gzip(text, level);
    EXPECT_LT(compressed.size(), text.size() / 4) << level;
    EXPECT_EQ(gunzip(compressed), text) << level;
  }
  EXPECT_EQ(gunzip(gzip("", 6)), "");
}

TEST(Compression, ALargeAnswerIsCompressedWithAWeakEtagAndVary) {
  Compression compression;
  const std::string text = json_text(2000);
  Response response = answer(text);
  response.set(bhttp::field::etag, "\"v7\"");
  compression.apply(get("gzip, deflate"), response);
  EXPECT_EQ(response[bhttp::field::content_encoding], "gzip");
  EXPECT_EQ(response[bhttp::field::etag], "W/\"v7\"");
  EXPECT_EQ(response[bhttp::field::vary], "Accept-Encoding");
  EXPECT_EQ(gunzip(response.body()), text);
  // Kept: the same resource and version again is the same bytes, even from other text.
  Response again = answer(std::string(text.size(), 'x'));
  again.set(bhttp::field::etag, "\"v7\"");
  compression.apply(get("gzip"), again);
  EXPECT_EQ(gunzip(again.body()), text);
  // The same ETag of another resource is another answer.
  Response other = answer(json_text(1500));
  other.set(bhttp::field::etag, "\"v7\"");
  compression.apply(get("gzip", "/v1/events/2/seatmap"), other);
  EXPECT_EQ(gunzip(other.body()), json_text(1500));
}

TEST(Compression, AnAnswerWithoutEtagIsCompressedAsItGoes) {
  Compression compression;
  Response response = answer(json_text(800), "application/problem+json");
  compression.apply(get("gzip"), response);
  EXPECT_EQ(response[bhttp::field::content_encoding], "gzip");
  EXPECT_EQ(response.find(bhttp::field::etag), response.end());
  EXPECT_EQ(gunzip(response.body()), json_text(800));
}

TEST(Compression, WhatIsLeftAlone) {
  Compression compression;
  const std::string text = json_text(2000);
  const auto unchanged = [&](Response response, const Request& request) {
    const std::string before = response.body();
    compression.apply(request, response);
    EXPECT_EQ(response.body(), before);
    EXPECT_NE(response[bhttp::field::content_encoding], "gzip");
    return response;
  };
  // A client that does not ask, or refuses: plain, but caches are told it varies.
  EXPECT_EQ(unchanged(answer(text), get(""))[bhttp::field::vary], "Accept-Encoding");
  unchanged(answer(text), get("gzip;q=0"));
  unchanged(answer(json_text(10)), get("gzip"));        // under a kilobyte
  unchanged(answer(text, "image/png"), get("gzip"));    // compressed already, as a type
  Response stream = answer(text, "text/event-stream");  // a stream: written as it comes
  stream.body().stream = [](StreamWriter&) -> asio::awaitable<void> { co_return; };
  unchanged(std::move(stream), get("gzip"));
  Response encoded = answer(text);
  encoded.set(bhttp::field::content_encoding, "br");
  EXPECT_EQ(unchanged(std::move(encoded), get("gzip"))[bhttp::field::content_encoding], "br");
  // Another Vary is kept beside it.
  Response private_answer = answer(text);
  private_answer.set(bhttp::field::vary, "Authorization");
  compression.apply(get("gzip"), private_answer);
  EXPECT_EQ(private_answer[bhttp::field::vary], "Authorization, Accept-Encoding");
}

}  // namespace
}  // namespace boxoffice::http
