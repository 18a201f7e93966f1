// What the search service tells /metrics (and the benchmark): the indexer's lag from a catalog
// change to it being searchable, as a histogram and its last value; the queue of changes not
// yet applied; the events indexed and the FTS5 database's size; counts of changes, rebuilds,
// queries and suggestions. The lines are rendered here, in Prometheus' text format, and
// services/metrics appends them to its own.
#include "services/search/index.hpp"
#include "services/search/search.hpp"
#include "services/search/stats.hpp"

namespace boxoffice {

std::size_t SearchService::indexed_events() const {
  const auto index = current();
  std::shared_lock lock(index->mutex);
  return index->live_docs;
}

std::uint64_t SearchService::index_bytes() const {
  const auto index = current();
  std::shared_lock lock(index->mutex);
  std::error_code error;
  std::uint64_t bytes = 0;
  for (const char* suffix : {"", "-wal"}) {
    const auto size = std::filesystem::file_size(index->file.string() + suffix, error);
    if (!error) bytes += size;
  }
  return bytes;
}

std::string SearchService::render_metrics() const {
  std::size_t queued = 0;
  {
    std::lock_guard lock(queue_mutex_);
    queued = queue_.size();
  }
  std::string out;
  out +=
      "# HELP boxoffice_search_index_lag_seconds From a catalog change seen by this node to it "
      "being searchable.\n";
  out += "# TYPE boxoffice_search_index_lag_seconds histogram\n";
  stats_->lag.render(out, "boxoffice_search_index_lag_seconds", "");
  out += "# TYPE boxoffice_search_index_last_lag_seconds gauge\n";
  out += "boxoffice_search_index_last_lag_seconds " +
         std::to_string(static_cast<double>(stats_->last_lag_ms.load()) / 1000.0) + "\n";
  out += "# TYPE boxoffice_search_index_queue gauge\nboxoffice_search_index_queue " +
         std::to_string(queued) + "\n";
  out += "# TYPE boxoffice_search_indexed_events gauge\nboxoffice_search_indexed_events " +
         std::to_string(indexed_events()) + "\n";
  out +=
      "# TYPE boxoffice_search_index_changes_total counter\nboxoffice_search_index_changes_total " +
      std::to_string(stats_->applied.value()) + "\n";
  out +=
      "# TYPE boxoffice_search_index_rebuilds_total "
      "counter\nboxoffice_search_index_rebuilds_total " +
      std::to_string(stats_->rebuilds.value()) + "\n";
  out += "# TYPE boxoffice_search_queries_total counter\nboxoffice_search_queries_total " +
         std::to_string(stats_->queries.value()) + "\n";
  out += "# TYPE boxoffice_search_suggestions_total counter\nboxoffice_search_suggestions_total " +
         std::to_string(stats_->suggestions.value()) + "\n";
  return out;
}

}  // namespace boxoffice
