// Search benchmark: generates a catalog (core/catalog_generator), builds the search index,
// runs a fixed mix of queries at concurrency 1 and N, then loads the same events into
// PostgreSQL (a weighted tsvector with a GIN index), runs the same queries there (text with
// ts_rank, the same filters, the same facets by category, city and month), and prints both
// sides and their ratios. Each side answers each query whole: the first page of 20 and the
// facets over every match.
//
// The clock is pinned (bench_now): the catalog is generated from it and every query is asked
// at it, so "this weekend" or "next week" find the same events whatever day the benchmark runs
// (with the real clock, "concert in LA this weekend" found nothing on a Sunday night in Los
// Angeles: what was left of the weekend there came before the catalog's first day), and runs
// on different days compare.
#include <libpq-fe.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/catalog_generator.hpp"
#include "core/search_query.hpp"
#include "core/search_text.hpp"
#include "core/time.hpp"
#include "services/search/search.hpp"
#include "services/time_zones.hpp"

namespace bx = boxoffice;
using Clock = std::chrono::steady_clock;

namespace {

// Wednesday 2026-12-02 12:00 UTC (04:00 in Los Angeles, 21:00 in Tokyo): mid-week everywhere,
// so "this weekend" is ahead for every city of the mix.
constexpr bx::UnixMillis bench_now = 20'789LL * 86'400'000 + 12LL * 3'600'000;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Run {
  std::vector<double> latencies_ms;
  double seconds = 0;
  double throughput() const { return static_cast<double>(latencies_ms.size()) / seconds; }
  double percentile(double p) {
    std::sort(latencies_ms.begin(), latencies_ms.end());
    if (latencies_ms.empty()) return 0;
    return latencies_ms[std::min(
        latencies_ms.size() - 1,
        static_cast<std::size_t>(p * static_cast<double>(latencies_ms.size())))];
  }
};

// Runs `query(thread, i)` for `seconds` on `threads` threads; each thread walks the mix.
template <class F>
Run measure(std::size_t threads, double seconds, std::size_t mix, F query) {
  std::vector<std::vector<double>> per_thread(threads);
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration<double>(seconds);
  std::vector<std::thread> workers;
  for (std::size_t t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (std::size_t i = t; Clock::now() < end; ++i) {
        const auto before = Clock::now();
        query(t, i % mix);
        per_thread[t].push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - before).count());
      }
    });
  }
  for (auto& worker : workers) worker.join();
  Run run;
  run.seconds = seconds_since(start);
  for (auto& l : per_thread) run.latencies_ms.insert(run.latencies_ms.end(), l.begin(), l.end());
  return run;
}

PGconn* connect(const std::string& url) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn));
  return conn;
}

void exec(PGconn* conn, const std::string& sql) {
  PGresult* result = PQexec(conn, sql.c_str());
  const auto status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    const std::string error = PQerrorMessage(conn);
    PQclear(result);
    throw std::runtime_error(sql.substr(0, 80) + ": " + error);
  }
  PQclear(result);
}

std::string tsv_field(std::string text) {
  for (char& c : text) {
    if (c == '\t' || c == '\n' || c == '\\' || c == '\r') c = ' ';
  }
  return text;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string sql_text(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'')
      out += "''";
    else
      out += c;
  }
  return out + "'";
}

// The PostgreSQL form of a request: the same understanding, the same filters.
struct PgQuery {
  std::string page;
  std::string facets;
};

PgQuery pg_query(const bx::SearchRequest& request, bx::UnixMillis now) {
  // Relative dates: as the service does, in the named city's zone.
  const auto first = bx::understand_query(request.q, bx::to_local("UTC", now), bx::known_cities(),
                                          bx::known_category_synonyms());
  const std::string zone = first.city ? std::string(first.city->timezone) : "UTC";
  const auto u = bx::understand_query(request.q, bx::to_local(zone, now), bx::known_cities(),
                                      bx::known_category_synonyms());
  std::string where = "starts_at >= to_timestamp(" + std::to_string(now / 1000) + ")";
  std::string rank = "1.0";
  if (!u.words.empty()) {
    std::string ts;
    for (std::size_t i = 0; i < u.words.size(); ++i) {
      ts += (i ? " & " : "") + u.words[i];
      if (i + 1 == u.words.size() && request.q.back() != ' ') ts += ":*";
    }
    where += " AND doc @@ to_tsquery('simple', " + sql_text(ts) + ")";
    rank = "ts_rank('{0.1, 0.2, 0.4, 1.0}', doc, to_tsquery('simple', " + sql_text(ts) + "))";
  }
  const auto category = request.category ? request.category : u.category;
  if (category) where += " AND category = " + sql_text(*category);
  if (u.city) {
    const double dlat = u.city->radius_km / 111.0;
    const double dlon = u.city->radius_km / (111.0 * std::cos(u.city->lat * 0.0174533));
    where += " AND lat BETWEEN " + std::to_string(u.city->lat - dlat) + " AND " +
             std::to_string(u.city->lat + dlat) + " AND lon BETWEEN " +
             std::to_string(u.city->lon - dlon) + " AND " + std::to_string(u.city->lon + dlon);
  }
  if (u.dates) {
    where += " AND local_start >= to_timestamp(" + std::to_string(u.dates->from / 1000) +
             ") AT TIME ZONE 'UTC' AND local_start < to_timestamp(" +
             std::to_string(u.dates->to / 1000) + ") AT TIME ZONE 'UTC'";
  }
  PgQuery q;
  q.page = "SELECT id, name, " + rank + " AS rank FROM events WHERE " + where +
           " ORDER BY rank DESC, id LIMIT 20";
  q.facets =
      "SELECT category, city, to_char(local_start, 'YYYY-MM') AS month, count(*) FROM events "
      "WHERE " +
      where + " GROUP BY GROUPING SETS ((category), (city), (month))";
  return q;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"boxoffice search benchmark"};
  std::size_t events = 1'000'000;
  double seconds = 10;
  std::size_t concurrency = 16;
  std::string postgres;
  int only = -1;
  cli.add_option("--events", events)->capture_default_str();
  cli.add_option("--only", only,
                 "run just this query of the mix (0-based) for --seconds, for perf");
  cli.add_option("--seconds", seconds, "per run")->capture_default_str();
  cli.add_option("--concurrency", concurrency)->capture_default_str();
  cli.add_option("--postgres", postgres, "a throwaway database's URL (none: skip PostgreSQL)");
  CLI11_PARSE(cli, argc, argv);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);

  const bx::UnixMillis now = bench_now;
  std::printf("clock pinned at %s (catalog and queries)\n", bx::format_rfc3339(now).c_str());
  auto start = Clock::now();
  const auto catalog =
      bx::generate_catalog({.events = events, .seed = 42, .start = now}, bx::to_utc);
  std::printf("generated %zu events at %zu venues in %.1f s\n", catalog.events.size(),
              catalog.venues.size(), seconds_since(start));

  std::vector<std::shared_ptr<const bx::Venue>> venues;
  for (const auto& v : catalog.venues) venues.push_back(std::make_shared<const bx::Venue>(v));
  std::vector<std::pair<std::shared_ptr<const bx::Event>, std::shared_ptr<const bx::Venue>>> all;
  all.reserve(catalog.events.size());
  for (const auto& e : catalog.events) {
    all.emplace_back(std::make_shared<const bx::Event>(e),
                     venues[static_cast<std::size_t>(e.venue_id - 1)]);
  }
  bx::SearchService search;
  start = Clock::now();
  search.rebuild(all);
  const double build_seconds = seconds_since(start);
  const double index_mb = static_cast<double>(search.index_bytes()) / (1 << 20);
  std::printf(
      "boxoffice index: %zu events in %.1f s, %.0f MiB on disk (FTS5) + attributes in memory\n",
      search.indexed_events(), build_seconds, index_mb);

  // The mix: names and words taken from the catalog, so every query finds something.
  const auto& e1 = catalog.events[1000 % catalog.events.size()];
  const auto& e2 = catalog.events[5000 % catalog.events.size()];
  const auto& e3 = catalog.events[9000 % catalog.events.size()];
  std::string typo = bx::fold_text(e2.performers[0]);
  if (typo.size() > 4) std::swap(typo[2], typo[3]);  // a swapped pair of letters
  std::vector<std::string> mix = {
      e1.performers[0],
      bx::split_words(bx::fold_text(e3.performers[0])).back().substr(0, 4),  // type-ahead
      "concert in LA this weekend",
      "nba games this weekend",
      "comedy in london",
      "jazz in december",
      typo,
      e3.name,
      "hip hop nyc",
      "theatre next week",
  };
  std::vector<bx::SearchRequest> requests;
  for (const auto& q : mix) {
    bx::SearchRequest r;
    r.q = q;
    requests.push_back(r);
  }
  // Not in the mix, shown for what they cost: a word that matches half the catalog, and a
  // category alone (no words) that matches most of it.
  std::vector<bx::SearchRequest> broad(2);
  broad[0].q = "live ";
  broad[1].q = "concerts";
  auto median_ms = [](auto run) {
    std::vector<double> times;
    for (int k = 0; k < 5; ++k) {
      const auto before = Clock::now();
      run();
      times.push_back(std::chrono::duration<double, std::milli>(Clock::now() - before).count());
    }
    std::sort(times.begin(), times.end());
    return times[2];
  };
  auto describe = [&](const bx::SearchRequest& r, const char* note) {
    const auto answer = search.search(r, now);
    if (!answer) throw std::runtime_error("query failed: " + r.q);
    const double ms = median_ms([&] {
      if (!search.search(r, now)) std::abort();
    });
    // A query of the mix that finds nothing measures nothing worth comparing: say so.
    std::printf("  %-40s %8zu matches  %8.2f ms (median of 5)%s%s\n", ("\"" + r.q + "\"").c_str(),
                answer->total, ms, note, answer->total == 0 ? "  <-- NO MATCHES" : "");
  };
  for (const auto& r : requests) describe(r, "");
  for (const auto& r : broad) describe(r, "  not in the mix");
  if (only >= 0) {
    const Run run = measure(1, seconds, 1, [&](std::size_t, std::size_t) {
      if (!search.search(requests.at(static_cast<std::size_t>(only)), now)) std::abort();
    });
    std::printf("only \"%s\": %zu queries in %.1f s\n",
                requests.at(static_cast<std::size_t>(only)).q.c_str(), run.latencies_ms.size(),
                run.seconds);
    return 0;
  }
  auto ours = [&](std::size_t, std::size_t i) {
    const auto answer = search.search(requests[i], now);
    if (!answer) std::abort();
  };
  Run ours1 = measure(1, seconds, mix.size(), ours);
  Run oursN = measure(concurrency, seconds, mix.size(), ours);
  std::printf("boxoffice  c=1:  %8.0f q/s  p50 %.2f ms  p99 %.2f ms\n", ours1.throughput(),
              ours1.percentile(0.5), ours1.percentile(0.99));
  std::printf("boxoffice  c=%zu: %8.0f q/s  p50 %.2f ms  p99 %.2f ms\n", concurrency,
              oursN.throughput(), oursN.percentile(0.5), oursN.percentile(0.99));
  if (postgres.empty()) return 0;

  PGconn* conn = connect(postgres);
  exec(conn, "DROP TABLE IF EXISTS events");
  exec(conn,
       "CREATE TABLE events (id bigint PRIMARY KEY, name text, performers text, venue text, "
       "city text, tags text, description text, category text, starts_at timestamptz, "
       "local_start timestamp, min_price bigint, lat double precision, lon double precision)");
  start = Clock::now();
  PQclear(PQexec(conn, "COPY events FROM STDIN"));
  std::string buffer;
  for (const auto& [e, v] : all) {
    std::int64_t min_price = INT64_MAX;
    for (const auto& level : e->price_levels) min_price = std::min(min_price, level.price_cents);
    buffer += std::to_string(e->id) + '\t' + tsv_field(e->name) + '\t' +
              tsv_field(joined(e->performers)) + '\t' + tsv_field(v->name) + '\t' +
              tsv_field(v->city) + '\t' + tsv_field(joined(e->tags)) + '\t' +
              tsv_field(e->description) + '\t' + e->category + '\t' +
              bx::format_rfc3339(e->starts_at) + '\t' +
              bx::format_rfc3339(bx::to_local(v->timezone, e->starts_at)).substr(0, 19) + '\t' +
              std::to_string(min_price) + '\t' + std::to_string(v->lat) + '\t' +
              std::to_string(v->lon) + '\n';
    if (buffer.size() > (1 << 20)) {
      PQputCopyData(conn, buffer.data(), static_cast<int>(buffer.size()));
      buffer.clear();
    }
  }
  PQputCopyData(conn, buffer.data(), static_cast<int>(buffer.size()));
  PQputCopyEnd(conn, nullptr);
  PQclear(PQgetResult(conn));
  exec(conn,
       "ALTER TABLE events ADD COLUMN doc tsvector GENERATED ALWAYS AS ("
       "setweight(to_tsvector('simple', coalesce(name, '') || ' ' || coalesce(performers, '')), "
       "'A') || "
       "setweight(to_tsvector('simple', coalesce(venue, '')), 'B') || "
       "setweight(to_tsvector('simple', coalesce(city, '') || ' ' || coalesce(tags, '')), 'C') || "
       "setweight(to_tsvector('simple', coalesce(description, '')), 'D')) STORED");
  exec(conn, "CREATE INDEX events_doc ON events USING gin (doc)");
  exec(conn, "CREATE INDEX events_category_start ON events (category, local_start)");
  exec(conn, "CREATE INDEX events_start ON events (local_start)");
  exec(conn, "VACUUM ANALYZE events");
  const double pg_build = seconds_since(start);
  PGresult* size = PQexec(conn, "SELECT pg_total_relation_size('events')");
  const double pg_mb = std::stod(PQgetvalue(size, 0, 0)) / (1 << 20);
  PQclear(size);
  std::printf("PostgreSQL: loaded and indexed in %.1f s, %.0f MiB (table + indexes)\n", pg_build,
              pg_mb);

  std::vector<PgQuery> pg_queries;
  for (const auto& r : requests) pg_queries.push_back(pg_query(r, now));
  for (std::size_t i = 0; i < requests.size() + broad.size(); ++i) {
    const bool in_mix = i < requests.size();
    const auto& r = in_mix ? requests[i] : broad[i - requests.size()];
    const PgQuery q = pg_query(r, now);
    const double ms = median_ms([&] {
      exec(conn, q.page);
      exec(conn, q.facets);
    });
    std::printf("  PostgreSQL %-40s %8.2f ms (median of 5)%s\n", ("\"" + r.q + "\"").c_str(), ms,
                in_mix ? "" : "  not in the mix");
  }
  std::vector<PGconn*> conns;
  for (std::size_t t = 0; t < concurrency; ++t) conns.push_back(connect(postgres));
  auto theirs = [&](std::size_t t, std::size_t i) {
    exec(conns[t], pg_queries[i].page);
    exec(conns[t], pg_queries[i].facets);
  };
  Run pg1 = measure(1, seconds, mix.size(), theirs);
  Run pgN = measure(concurrency, seconds, mix.size(), theirs);
  std::printf("PostgreSQL c=1:  %8.0f q/s  p50 %.2f ms  p99 %.2f ms\n", pg1.throughput(),
              pg1.percentile(0.5), pg1.percentile(0.99));
  std::printf("PostgreSQL c=%zu: %8.0f q/s  p50 %.2f ms  p99 %.2f ms\n", concurrency,
              pgN.throughput(), pgN.percentile(0.5), pgN.percentile(0.99));
  std::printf("ratio (boxoffice / PostgreSQL throughput): c=1 %.2fx, c=%zu %.2fx (target >= 3x)\n",
              ours1.throughput() / pg1.throughput(), concurrency,
              oursN.throughput() / pgN.throughput());
  std::printf("targets at c=1: p50 %.2f ms (<= 2), p99 %.2f ms (<= 20)\n", ours1.percentile(0.5),
              ours1.percentile(0.99));
  for (PGconn* c : conns) PQfinish(c);
  PQfinish(conn);
  return 0;
}
