#include "app/data_dir.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <stdexcept>

#include "core/ids.hpp"

namespace boxoffice::app {
namespace fs = std::filesystem;

void prepare_data_dir(const fs::path& dir) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error || !fs::is_directory(dir)) {
    throw std::runtime_error("cannot create the data dir " + dir.string() + ": " + error.message());
  }
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, error);
}

namespace {

// Writes a new secret file atomically (write, fsync via close, rename) with mode 0600.
void write_secret(const fs::path& file, const std::string& bytes) {
  const fs::path temporary = file.string() + ".new";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + temporary.string());
  }
  fs::permissions(temporary, fs::perms::owner_read | fs::perms::owner_write,
                  fs::perm_options::replace);
  fs::rename(temporary, file);
}

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TicketSecret load_ticket_secret(const fs::path& dir) {
  const fs::path file = dir / "ticket-secret";
  if (!fs::exists(file)) throw std::runtime_error("no ticket secret in " + dir.string());
  const std::string bytes = read_file(file);
  TicketSecret secret{};
  if (bytes.size() != secret.size()) {
    throw std::runtime_error(file.string() + " is damaged: expected 32 bytes");
  }
  std::copy(bytes.begin(), bytes.end(), secret.begin());
  return secret;
}

TicketSecret load_or_create_ticket_secret(const fs::path& dir) {
  const fs::path file = dir / "ticket-secret";
  if (!fs::exists(file)) {
    TicketSecret secret{};
    randombytes_buf(secret.data(), secret.size());
    write_secret(file, std::string(secret.begin(), secret.end()));
  }
  return load_ticket_secret(dir);
}

std::string load_or_create_admin_key(const fs::path& dir) {
  const fs::path file = dir / "admin-key";
  if (!fs::exists(file)) {
    Id128 key;
    randombytes_buf(key.bytes.data(), key.bytes.size());
    write_secret(file, key.hex() + "\n");
  }
  std::string key = read_file(file);
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
  if (key.empty()) throw std::runtime_error(file.string() + " is empty");
  return key;
}

}  // namespace boxoffice::app
