// Poseidon2 over the BN254 scalar field (t = 4, d = 5, 8 full + 56 partial rounds), the sponge of
// SPEC.md (rate 3, capacity 1, IV = len << 64): the same function as bb's poseidon2Hash, computed
// in-process. The parameters are generated into poseidon2_params.h at build time (see
// poseidon2-native.ts) and every loaded build is checked against bb before use.
//
// Interface (N-API):
//   hashPairs(input: Uint8Array, output: Uint8Array, n: number): n hashes of 2 inputs.
//   hashN(input: Uint8Array, output: Uint8Array, n: number, arity: number): n hashes of `arity` inputs.
// Field elements are 32 bytes big-endian; values >= the modulus are refused.
#include <node_api.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

typedef uint64_t u64;
typedef unsigned __int128 u128;

#include "poseidon2_params.h"
// poseidon2_params.h defines: MODULUS[4], INV (=-p^-1 mod 2^64), R2[4] (R^2 mod p),
// DIAG_M1[4][4] (Montgomery form), RC_FULL[8][4][4], RC_PART[56][4] (Montgomery form).

static inline int geq_p(const u64 a[4]) {
  for (int i = 3; i >= 0; i--) {
    if (a[i] > MODULUS[i]) return 1;
    if (a[i] < MODULUS[i]) return 0;
  }
  return 1;
}

// Values are kept in [0, 2p) ("coarse" form) between operations and fully reduced on output. As
// 4p < 2^256, Montgomery products of coarse inputs are coarse without a final subtraction.
static const u64 TWO_P[4] = {MODULUS[0] << 1, (MODULUS[1] << 1) | (MODULUS[0] >> 63), (MODULUS[2] << 1) | (MODULUS[1] >> 63),
                             (MODULUS[3] << 1) | (MODULUS[2] >> 63)};

// r = a - m if a >= m else a, branch-free.
static inline void sub_if_geq(u64 r[4], const u64 a[4], const u64 m[4]) {
  u64 d[4];
  u64 borrow = 0;
  for (int i = 0; i < 4; i++) {
    u128 x = (u128)a[i] - m[i] - borrow;
    d[i] = (u64)x;
    borrow = (u64)(x >> 64) & 1;
  }
  u64 keep = (u64)0 - borrow; // all ones when a < m
  for (int i = 0; i < 4; i++) r[i] = (a[i] & keep) | (d[i] & ~keep);
}

static inline void fadd(u64 r[4], const u64 a[4], const u64 b[4]) {
  u64 s[4];
  u64 carry = 0;
  for (int i = 0; i < 4; i++) {
    u128 x = (u128)a[i] + b[i] + carry;
    s[i] = (u64)x;
    carry = (u64)(x >> 64);
  }
  // a, b < 2p, so a + b < 4p < 2^256: no carry out of the top limb.
  sub_if_geq(r, s, TWO_P);
}

// Montgomery multiplication (CIOS without the extra carry words: p's top limb < 2^62, and with
// a, b < 2p every intermediate stays below 4p < 2^256). Output < 2p.
static inline void fmul(u64 r[4], const u64 a[4], const u64 b[4]) {
  u64 t0 = 0, t1 = 0, t2 = 0, t3 = 0;
  for (int i = 0; i < 4; i++) {
    u64 bi = b[i];
    u128 x = (u128)a[0] * bi + t0;
    t0 = (u64)x;
    u64 A = (u64)(x >> 64);
    u64 m = t0 * INV;
    u128 y = (u128)m * MODULUS[0] + t0;
    u64 C = (u64)(y >> 64);
    x = (u128)a[1] * bi + t1 + A;
    t1 = (u64)x;
    A = (u64)(x >> 64);
    y = (u128)m * MODULUS[1] + t1 + C;
    t0 = (u64)y;
    C = (u64)(y >> 64);
    x = (u128)a[2] * bi + t2 + A;
    t2 = (u64)x;
    A = (u64)(x >> 64);
    y = (u128)m * MODULUS[2] + t2 + C;
    t1 = (u64)y;
    C = (u64)(y >> 64);
    x = (u128)a[3] * bi + t3 + A;
    t3 = (u64)x;
    A = (u64)(x >> 64);
    y = (u128)m * MODULUS[3] + t3 + C;
    t2 = (u64)y;
    C = (u64)(y >> 64);
    t3 = C + A;
  }
  r[0] = t0;
  r[1] = t1;
  r[2] = t2;
  r[3] = t3;
}

static inline void sbox(u64 x[4]) {
  u64 x2[4], x4[4];
  fmul(x2, x, x);
  fmul(x4, x2, x2);
  fmul(x, x4, x);
}

static inline void external_matrix(u64 s[4][4]) {
  u64 t0[4], t1[4], t2[4], t3[4], t4[4], t5[4], t6[4], t7[4];
  fadd(t0, s[0], s[1]);
  fadd(t1, s[2], s[3]);
  fadd(t2, s[1], s[1]);
  fadd(t2, t2, t1);
  fadd(t3, s[3], s[3]);
  fadd(t3, t3, t0);
  fadd(t4, t1, t1);
  fadd(t4, t4, t4);
  fadd(t4, t4, t3);
  fadd(t5, t0, t0);
  fadd(t5, t5, t5);
  fadd(t5, t5, t2);
  fadd(t6, t3, t5);
  fadd(t7, t2, t4);
  memcpy(s[0], t6, 32);
  memcpy(s[1], t5, 32);
  memcpy(s[2], t7, 32);
  memcpy(s[3], t4, 32);
}

static inline void internal_matrix(u64 s[4][4]) {
  u64 sum[4];
  fadd(sum, s[0], s[1]);
  fadd(sum, sum, s[2]);
  fadd(sum, sum, s[3]);
  for (int i = 0; i < 4; i++) {
    u64 t[4];
    fmul(t, s[i], DIAG_M1[i]);
    fadd(s[i], t, sum);
  }
}

static void permute(u64 s[4][4]) {
  external_matrix(s);
  for (int r = 0; r < 4; r++) {
    for (int i = 0; i < 4; i++) {
      fadd(s[i], s[i], RC_FULL[r][i]);
      sbox(s[i]);
    }
    external_matrix(s);
  }
  for (int r = 0; r < 56; r++) {
    fadd(s[0], s[0], RC_PART[r]);
    sbox(s[0]);
    internal_matrix(s);
  }
  for (int r = 4; r < 8; r++) {
    for (int i = 0; i < 4; i++) {
      fadd(s[i], s[i], RC_FULL[r][i]);
      sbox(s[i]);
    }
    external_matrix(s);
  }
}

static const u64 ONE_RAW[4] = {1, 0, 0, 0};

// Big-endian 32 bytes -> Montgomery form. Returns 0 when the value is not below the modulus.
static int from_bytes(u64 out[4], const uint8_t *b) {
  u64 raw[4];
  for (int i = 0; i < 4; i++) {
    u64 v = 0;
    for (int k = 0; k < 8; k++) v = (v << 8) | b[(3 - i) * 8 + k];
    raw[i] = v;
  }
  if (geq_p(raw)) return 0;
  fmul(out, raw, R2);
  return 1;
}

static void to_bytes(uint8_t *b, const u64 mont[4]) {
  u64 raw[4];
  fmul(raw, mont, ONE_RAW);
  sub_if_geq(raw, raw, MODULUS);
  for (int i = 0; i < 4; i++) {
    u64 v = raw[i];
    for (int k = 7; k >= 0; k--) {
      b[(3 - i) * 8 + k] = (uint8_t)v;
      v >>= 8;
    }
  }
}

// Sponge: absorb `arity` elements (rate 3), IV = arity << 64 in the capacity element.
static int sponge(uint8_t *out, const uint8_t *in, int arity) {
  u64 s[4][4];
  memset(s, 0, sizeof s);
  u64 iv_raw[4] = {0, (u64)arity, 0, 0};
  fmul(s[3], iv_raw, R2);
  int cached = 0;
  for (int k = 0; k < arity; k++) {
    u64 x[4];
    if (!from_bytes(x, in + 32 * k)) return 0;
    if (cached == 3) {
      permute(s);
      cached = 0;
    }
    fadd(s[cached], s[cached], x);
    cached++;
  }
  permute(s);
  to_bytes(out, s[0]);
  return 1;
}

#define PARALLEL_MIN 24

typedef struct {
  const uint8_t *in;
  uint8_t *out;
  uint32_t from, to, arity;
  int ok;
} job_t;

static void *run_job(void *arg) {
  job_t *j = (job_t *)arg;
  for (uint32_t i = j->from; i < j->to; i++) {
    if (!sponge(j->out + 32 * (size_t)i, j->in + 32 * (size_t)i * j->arity, (int)j->arity)) {
      j->ok = 0;
      return NULL;
    }
  }
  return NULL;
}

static napi_value hash_impl(napi_env env, napi_callback_info info, int fixed_arity) {
  size_t argc = 4;
  napi_value args[4];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  if (argc < 3) {
    napi_throw_type_error(env, NULL, "expected (input, output, n[, arity])");
    return NULL;
  }
  void *in_data, *out_data;
  size_t in_len, out_len;
  napi_typedarray_type type;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, args[0], &type, &in_len, &in_data, &ab, &off) != napi_ok || type != napi_uint8_array ||
      napi_get_typedarray_info(env, args[1], &type, &out_len, &out_data, &ab, &off) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, "input and output must be Uint8Arrays");
    return NULL;
  }
  uint32_t n, arity = (uint32_t)fixed_arity;
  napi_get_value_uint32(env, args[2], &n);
  if (fixed_arity == 0) {
    if (argc < 4 || napi_get_value_uint32(env, args[3], &arity) != napi_ok || arity == 0 || arity > 64) {
      napi_throw_range_error(env, NULL, "arity must be 1..64");
      return NULL;
    }
  }
  if ((size_t)n * arity * 32 > in_len || (size_t)n * 32 > out_len) {
    napi_throw_range_error(env, NULL, "buffers too small");
    return NULL;
  }
  job_t all = {(const uint8_t *)in_data, (uint8_t *)out_data, 0, n, arity, 1};
  if (n >= PARALLEL_MIN) {
    // Two halves: one on a helper thread, one here (hashing is pure computation on raw memory).
    job_t hi = all;
    hi.from = n / 2;
    all.to = n / 2;
    pthread_t th;
    if (pthread_create(&th, NULL, run_job, &hi) == 0) {
      run_job(&all);
      pthread_join(th, NULL);
      all.ok = all.ok && hi.ok;
    } else {
      all.to = n;
      run_job(&all);
    }
  } else {
    run_job(&all);
  }
  if (!all.ok) napi_throw_range_error(env, NULL, "field element out of range");
  return NULL;
}

static napi_value hash_pairs(napi_env env, napi_callback_info info) {
  return hash_impl(env, info, 2);
}

static napi_value hash_n(napi_env env, napi_callback_info info) {
  return hash_impl(env, info, 0);
}

NAPI_MODULE_INIT() {
  napi_value f;
  napi_create_function(env, "hashPairs", NAPI_AUTO_LENGTH, hash_pairs, NULL, &f);
  napi_set_named_property(env, exports, "hashPairs", f);
  napi_create_function(env, "hashN", NAPI_AUTO_LENGTH, hash_n, NULL, &f);
  napi_set_named_property(env, exports, "hashN", f);
  return exports;
}
