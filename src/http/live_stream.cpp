#include "http/live_stream.hpp"

#include <boost/json.hpp>

#include "core/check.hpp"

namespace boxoffice::http {
namespace {

const char* kind_name(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::held:
      return "held";
    case ChangeKind::sold:
      return "sold";
    case ChangeKind::released:
    case ChangeKind::expired:
      return "released";
  }
  return "released";
}

boost::json::object encode_change(const Layout& layout, const UnitsChange& change) {
  boost::json::object out;
  out["seq"] = change.seq;
  out["kind"] = kind_name(change.kind);
  if (change.kind == ChangeKind::released) out["reason"] = "release";
  if (change.kind == ChangeKind::expired) out["reason"] = "timeout";
  boost::json::array seats;
  seats.reserve(change.seats.size());
  for (const SeatIndex seat : change.seats) {
    BOXOFFICE_CHECK(seat < layout.seats.size());
    seats.emplace_back(layout.seats[seat].id);
  }
  out["seats"] = std::move(seats);
  if (change.ga_area) {
    BOXOFFICE_CHECK(*change.ga_area < layout.ga_areas.size());
    out["ga"] = {{"area", layout.ga_areas[*change.ga_area].id}, {"quantity", change.ga_quantity}};
  }
  return out;
}

// Writes a live seat map's messages on the connection, for the hub's fan-out.
class StreamSink final : public LiveSink {
 public:
  explicit StreamSink(StreamWriter& writer) : writer_(writer) {}
  std::optional<std::size_t> write_now(std::string_view data) override {
    return writer_.write_now(data);
  }
  asio::awaitable<bool> write(std::string_view data) override {
    co_return co_await writer_.write(data);
  }
  void abort() override { writer_.abort(); }

 private:
  StreamWriter& writer_;
};

}  // namespace

std::string sse_message(std::string_view event, std::string_view data, std::string_view id) {
  std::string out;
  out.reserve(event.size() + id.size() + data.size() + 24);
  out += "event: ";
  out += event;
  if (!id.empty()) {
    out += "\nid: ";
    out += id;
  }
  out += "\ndata: ";
  out += data;
  out += "\n\n";
  return out;
}

std::string sse_retry(std::chrono::milliseconds retry) {
  return "retry: " + std::to_string(retry.count()) + "\n";
}

std::string SseLiveFormat::opening(std::chrono::milliseconds retry) const {
  return sse_retry(retry);
}

std::string SseLiveFormat::snapshot(const EncodedSnapshot& snapshot) const {
  return sse_message("snapshot", *snapshot.text, std::to_string(snapshot.seq));
}

std::string SseLiveFormat::delta(
    const Layout& layout, const std::vector<std::shared_ptr<const UnitsChange>>& changes) const {
  BOXOFFICE_CHECK(!changes.empty());
  boost::json::array list;
  list.reserve(changes.size());
  for (const auto& change : changes) list.emplace_back(encode_change(layout, *change));
  const boost::json::object data{{"changes", std::move(list)}};
  return sse_message("delta", boost::json::serialize(data), std::to_string(changes.back()->seq));
}

Response event_stream(std::string first) {
  Response response{bhttp::status::ok, 11};
  response.set(bhttp::field::content_type, "text/event-stream");
  response.set(bhttp::field::cache_control, "no-cache");
  response.set("X-Accel-Buffering", "no");  // nginx: pass each message on at once
  response.body() = std::move(first);
  return response;
}

asio::awaitable<void> stream_live(std::shared_ptr<LiveSeats::Subscription> subscription,
                                  StreamWriter& writer) {
  StreamSink sink(writer);
  co_await subscription->run(sink);
}

}  // namespace boxoffice::http
