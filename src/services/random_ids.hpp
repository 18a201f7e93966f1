// Unguessable ids (holds, orders) without a system call each: bytes of a ChaCha20 keystream,
// keyed once per thread from the operating system's random source, handed out in order from a
// buffer refilled with the next nonce. libsodium's randombytes_buf asks the kernel on every
// call, which was a noticeable part of a hold's CPU time. (Not fork-safe: a forked child would
// hand out its parent's next bytes again. boxoffice does not fork.)
#pragma once

#include <cstdint>
#include <span>

namespace boxoffice {

// Fills `out` (at most 256 bytes) with random bytes.
void random_id_bytes(std::span<std::uint8_t> out);

}  // namespace boxoffice
