// The data directory of the embedded mode: the SQLite files, and the secrets that must
// survive restarts (the ticket MAC key; the admin key when none is given).
#pragma once

#include <filesystem>
#include <string>

#include "core/ticket_code.hpp"

namespace boxoffice::app {

// Creates the directory (0700) if needed. Throws std::runtime_error when it can't.
void prepare_data_dir(const std::filesystem::path& dir);

// The 32-byte ticket secret in `dir/ticket-secret`, made once from libsodium's randomness
// and kept (0600): tickets sold before a restart must still verify after it.
TicketSecret load_or_create_ticket_secret(const std::filesystem::path& dir);
// The ticket secret of an existing data dir; throws std::runtime_error when there is none
// (checking tickets against a fresh secret would call every genuine ticket forged).
TicketSecret load_ticket_secret(const std::filesystem::path& dir);

// The admin key in `dir/admin-key`, made once (32 random bytes, hex) when none is configured.
std::string load_or_create_admin_key(const std::filesystem::path& dir);

}  // namespace boxoffice::app
