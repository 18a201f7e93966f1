#include "services/random_ids.hpp"

#include <sodium.h>

#include <array>
#include <cstring>
#include <stdexcept>

#include "core/check.hpp"

namespace boxoffice {
namespace {

class KeystreamIds {
 public:
  KeystreamIds() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    randombytes_buf(key_.data(), key_.size());
  }
  KeystreamIds(const KeystreamIds&) = delete;
  KeystreamIds& operator=(const KeystreamIds&) = delete;
  ~KeystreamIds() {
    sodium_memzero(key_.data(), key_.size());
    sodium_memzero(buffer_.data(), buffer_.size());
  }

  void fill(std::span<std::uint8_t> out) {
    BOXOFFICE_CHECK(out.size() <= buffer_.size());
    if (buffer_.size() - used_ < out.size()) refill();
    std::memcpy(out.data(), buffer_.data() + used_, out.size());
    sodium_memzero(buffer_.data() + used_, out.size());  // handed out: not kept here
    used_ += out.size();
  }

 private:
  void refill() {
    std::array<unsigned char, crypto_stream_chacha20_NONCEBYTES> nonce{};
    std::memcpy(nonce.data(), &next_nonce_, sizeof next_nonce_);
    ++next_nonce_;  // 2^64 buffers before a nonce could repeat under this key
    crypto_stream_chacha20(buffer_.data(), buffer_.size(), nonce.data(), key_.data());
    used_ = 0;
  }

  std::array<unsigned char, crypto_stream_chacha20_KEYBYTES> key_{};
  std::array<unsigned char, 256> buffer_{};
  std::size_t used_ = buffer_.size();  // all used: the first fill refills
  std::uint64_t next_nonce_ = 0;
};

}  // namespace

void random_id_bytes(std::span<std::uint8_t> out) {
  thread_local KeystreamIds ids;
  ids.fill(out);
}

}  // namespace boxoffice
