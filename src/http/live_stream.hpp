// Server-sent events (the text/event-stream format of the HTML standard), the one place that
// frames them: live seat maps (LiveFormat for services/live_seats) and the waiting room's
// status stream. A message is "event: NAME", an optional "id: N", and its JSON on one "data:"
// line, then a blank line; a comment line keeps a quiet stream alive.
#pragma once

#include <string>
#include <string_view>

#include "http/server.hpp"
#include "services/live_seats.hpp"

namespace boxoffice::http {

// The SSE message `event` with `data` (one line), and `id` when it is not empty.
std::string sse_message(std::string_view event, std::string_view data, std::string_view id = {});
// The field that tells a client how long to wait before it reconnects.
std::string sse_retry(std::chrono::milliseconds retry);
// A comment: keeps the connection alive, means nothing to the client.
inline constexpr std::string_view sse_heartbeat = ": hb\n\n";

// Live seat maps' messages: "snapshot" (the whole availability JSON) and "delta" (a batch of
// changes), each with the event's seq as its id, so a reconnect resumes from Last-Event-ID.
class SseLiveFormat final : public LiveFormat {
 public:
  std::string opening(std::chrono::milliseconds retry) const override;
  std::string snapshot(const EncodedSnapshot& snapshot) const override;
  std::string delta(const Layout& layout,
                    const std::vector<std::shared_ptr<const UnitsChange>>& changes) const override;
  std::string nothing_missed() const override { return "\n"; }
  std::string_view heartbeat() const override { return sse_heartbeat; }
};

// Starts an answer as an event stream: its header fields, and `first` as the first bytes.
Response event_stream(std::string first);

// Sends a live seat map's messages on `writer` until the subscription ends or the client goes.
asio::awaitable<void> stream_live(std::shared_ptr<LiveSeats::Subscription> subscription,
                                  StreamWriter& writer);

}  // namespace boxoffice::http
