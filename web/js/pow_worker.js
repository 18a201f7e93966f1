// The proof of work of a waiting room's join, in a Web Worker so the page stays responsive:
// given {challenge, difficulty}, finds the first counter such that SHA-256(challenge ||
// decimal counter) starts with `difficulty` zero bits (src/core/join_challenge.hpp), posting
// {tried} now and then and {solution, tried} at the end. A plain SHA-256 in JavaScript: the
// challenge's whole 64-byte blocks are hashed once, and each attempt hashes only the last one
// or two blocks (crypto.subtle.digest costs a promise per attempt: hundreds of times slower).
'use strict';

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const INITIAL = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
const W = new Uint32Array(64);
const progress_every = 50000;

// One 64-byte block of `bytes` at `offset` into the state H.
function compress(H, bytes, offset) {
  for (let i = 0; i < 16; i++) {
    const j = offset + 4 * i;
    W[i] = (bytes[j] << 24) | (bytes[j + 1] << 16) | (bytes[j + 2] << 8) | bytes[j + 3];
  }
  for (let i = 16; i < 64; i++) {
    const a = W[i - 15];
    const b = W[i - 2];
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
  }
  let a = H[0]; let b = H[1]; let c = H[2]; let d = H[3];
  let e = H[4]; let f = H[5]; let g = H[6]; let h = H[7];
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  H[0] = (H[0] + a) | 0; H[1] = (H[1] + b) | 0; H[2] = (H[2] + c) | 0; H[3] = (H[3] + d) | 0;
  H[4] = (H[4] + e) | 0; H[5] = (H[5] + f) | 0; H[6] = (H[6] + g) | 0; H[7] = (H[7] + h) | 0;
}

// A function of the counter answering the hash's state (8 words) of prefix || counter.
function hasher(prefix) {
  const bytes = new TextEncoder().encode(prefix);
  const whole = bytes.length - (bytes.length % 64);
  const middle = new Uint32Array(INITIAL);
  for (let offset = 0; offset < whole; offset += 64) compress(middle, bytes, offset);
  const rest = bytes.subarray(whole);
  const tail = new Uint8Array(128);
  const H = new Uint32Array(8);
  return (counter) => {
    const digits = String(counter);
    tail.fill(0);
    tail.set(rest, 0);
    let n = rest.length;
    for (let i = 0; i < digits.length; i++) tail[n++] = digits.charCodeAt(i);
    tail[n] = 0x80;
    const end = n + 9 <= 64 ? 64 : 128;
    const bits = (bytes.length + digits.length) * 8;
    tail[end - 4] = bits >>> 24; tail[end - 3] = bits >>> 16; tail[end - 2] = bits >>> 8; tail[end - 1] = bits;
    H.set(middle);
    compress(H, tail, 0);
    if (end === 128) compress(H, tail, 64);
    return H;
  };
}

function leadingZeroBits(H) {
  let bits = 0;
  for (let i = 0; i < 8; i++) {
    if (H[i] !== 0) return bits + Math.clz32(H[i]);
    bits += 32;
  }
  return bits;
}

self.onmessage = ({ data: { challenge, difficulty } }) => {
  const hash = hasher(challenge);
  for (let counter = 0; ; counter++) {
    if (leadingZeroBits(hash(counter)) >= difficulty) {
      self.postMessage({ solution: String(counter), tried: counter + 1 });
      return;
    }
    if (counter % progress_every === 0) self.postMessage({ tried: counter });
  }
};
