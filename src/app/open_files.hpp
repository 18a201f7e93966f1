// Connections are file descriptors: the server must never accept more than the process may
// open, or accept() fails with EMFILE and the store, the logs and every new client with it.
#pragma once

#include <cstddef>

namespace boxoffice::app {

// Descriptors kept for everything but client connections: SQLite's files (the store, the
// search index, the payment ledger, each with its WAL and shared memory), each thread's event
// loop, timers and store connections (PostgreSQL, Redis), the pages being served.
inline constexpr std::size_t files_reserved = 256;

// Raises this process's soft limit on open files to its hard limit (systemd's default soft
// limit is 1,024), logs both, and answers how many connections the server may keep open:
// `wanted`, or fewer when the limit minus files_reserved is lower (at least 1).
std::size_t connections_within_open_files(std::size_t wanted);

}  // namespace boxoffice::app
