// [tau^i]G1 on BN254 for a range of i, in bb's file layout (64 bytes per point: x || y, 32-byte
// big-endian, normal form): the same points as g1-powers.ts, about 20 times faster, so that a first
// start generates the dev CRS in seconds instead of minutes. Same method: a fixed-base comb (13-bit
// windows, affine table built once per process and shared by every thread), Jacobian mixed
// additions, one batched inversion per 4096 points. Every loaded build is checked against the
// TypeScript generator before use (native-g1.ts).
//
// Interface (N-API):
//   g1Powers(tau: Uint8Array(32), first: Uint8Array(32), out: Uint8Array, count: number)
//   writes [first * tau^k]G1 for k in [0, count) into out; scalars are 32-byte big-endian, < r.
#include <node_api.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t u64;
typedef unsigned __int128 u128;

typedef struct {
  u64 m[4];
  u64 inv; // -m^-1 mod 2^64
  u64 r2[4]; // 2^512 mod m
} field_t;

// BN254 base field p and scalar field r, little-endian limbs.
static field_t FP = {{0x3c208c16d87cfd47ULL, 0x97816a916871ca8dULL, 0xb85045b68181585dULL, 0x30644e72e131a029ULL}, 0, {0}};
static field_t FR = {{0x43e1f593f0000001ULL, 0x2833e84879b97091ULL, 0xb85045b68181585dULL, 0x30644e72e131a029ULL}, 0, {0}};

static int geq(const u64 a[4], const u64 b[4]) {
  for (int i = 3; i >= 0; i--) {
    if (a[i] > b[i]) return 1;
    if (a[i] < b[i]) return 0;
  }
  return 1;
}

static void sub_raw(u64 r[4], const u64 a[4], const u64 b[4]) {
  u64 borrow = 0;
  for (int i = 0; i < 4; i++) {
    u128 x = (u128)a[i] - b[i] - borrow;
    r[i] = (u64)x;
    borrow = (u64)(x >> 64) & 1;
  }
}

// Both moduli are below 2^254: sums of reduced values never carry out of 256 bits.
static inline void fadd(const field_t *f, u64 r[4], const u64 a[4], const u64 b[4]) {
  u64 carry = 0;
  for (int i = 0; i < 4; i++) {
    u128 x = (u128)a[i] + b[i] + carry;
    r[i] = (u64)x;
    carry = (u64)(x >> 64);
  }
  if (geq(r, f->m)) sub_raw(r, r, f->m);
}

static inline void fsub(const field_t *f, u64 r[4], const u64 a[4], const u64 b[4]) {
  u64 borrow = 0;
  for (int i = 0; i < 4; i++) {
    u128 x = (u128)a[i] - b[i] - borrow;
    r[i] = (u64)x;
    borrow = (u64)(x >> 64) & 1;
  }
  if (borrow) {
    u64 carry = 0;
    for (int i = 0; i < 4; i++) {
      u128 x = (u128)r[i] + f->m[i] + carry;
      r[i] = (u64)x;
      carry = (u64)(x >> 64);
    }
  }
}

// Montgomery product a * b / 2^256 mod m (CIOS), fully reduced.
static inline void fmul(const field_t *f, u64 r[4], const u64 a[4], const u64 b[4]) {
  u64 t[6] = {0, 0, 0, 0, 0, 0};
  for (int i = 0; i < 4; i++) {
    u64 c = 0;
    for (int j = 0; j < 4; j++) {
      u128 x = (u128)a[j] * b[i] + t[j] + c;
      t[j] = (u64)x;
      c = (u64)(x >> 64);
    }
    u128 x = (u128)t[4] + c;
    t[4] = (u64)x;
    t[5] = (u64)(x >> 64);
    u64 mq = t[0] * f->inv;
    x = (u128)mq * f->m[0] + t[0];
    c = (u64)(x >> 64);
    for (int j = 1; j < 4; j++) {
      x = (u128)mq * f->m[j] + t[j] + c;
      t[j - 1] = (u64)x;
      c = (u64)(x >> 64);
    }
    x = (u128)t[4] + c;
    t[3] = (u64)x;
    t[4] = t[5] + (u64)(x >> 64);
  }
  u64 res[4] = {t[0], t[1], t[2], t[3]};
  if (t[4] || geq(res, f->m)) sub_raw(res, res, f->m);
  memcpy(r, res, sizeof res);
}

static void field_init(field_t *f) {
  u64 inv = 1;
  for (int i = 0; i < 7; i++) inv *= 2 - f->m[0] * inv; // Newton: inv = m^-1 mod 2^64
  f->inv = (u64)0 - inv;
  u64 x[4] = {1, 0, 0, 0};
  for (int i = 0; i < 512; i++) fadd(f, x, x, x);
  memcpy(f->r2, x, sizeof x);
}

static inline void to_mont(const field_t *f, u64 r[4], const u64 a[4]) { fmul(f, r, a, f->r2); }
static inline void from_mont(const field_t *f, u64 r[4], const u64 a[4]) {
  static const u64 ONE[4] = {1, 0, 0, 0};
  fmul(f, r, a, ONE);
}
static inline int is_zero(const u64 a[4]) { return (a[0] | a[1] | a[2] | a[3]) == 0; }

// a^(m-2) in Montgomery form: the inverse of a nonzero a.
static void finv(const field_t *f, u64 r[4], const u64 a[4]) {
  u64 e[4], two[4] = {2, 0, 0, 0};
  sub_raw(e, f->m, two);
  u64 acc[4];
  to_mont(f, acc, (const u64[4]){1, 0, 0, 0});
  for (int i = 255; i >= 0; i--) {
    fmul(f, acc, acc, acc);
    if ((e[i / 64] >> (i % 64)) & 1) fmul(f, acc, acc, a);
  }
  memcpy(r, acc, sizeof acc);
}

typedef struct {
  u64 x[4], y[4], z[4];
} jac_t;

// Jacobian doubling, a = 0 (dbl-2009-l); Montgomery form throughout.
static void jdouble(jac_t *p) {
  const field_t *f = &FP;
  u64 a[4], b[4], c[4], d[4], e[4], t[4], x3[4], y3[4], z3[4];
  fmul(f, a, p->x, p->x);
  fmul(f, b, p->y, p->y);
  fmul(f, c, b, b);
  fadd(f, t, p->x, b);
  fmul(f, t, t, t);
  fsub(f, t, t, a);
  fsub(f, t, t, c);
  fadd(f, d, t, t);
  fadd(f, e, a, a);
  fadd(f, e, e, a);
  fmul(f, t, e, e);
  fsub(f, x3, t, d);
  fsub(f, x3, x3, d);
  fsub(f, t, d, x3);
  fmul(f, y3, e, t);
  fadd(f, t, c, c);
  fadd(f, t, t, t);
  fadd(f, t, t, t);
  fsub(f, y3, y3, t);
  fmul(f, z3, p->y, p->z);
  fadd(f, z3, z3, z3);
  memcpy(p->x, x3, 32);
  memcpy(p->y, y3, 32);
  memcpy(p->z, z3, 32);
}

// p += (x2, y2) affine (madd-2007-bl); doubles when the points are equal. Returns 0 on P + (-P).
static int jadd_affine(jac_t *p, const u64 x2[4], const u64 y2[4]) {
  const field_t *f = &FP;
  u64 z1z1[4], u2[4], s2[4], h[4], hh[4], i4[4], j[4], r[4], v[4], t[4], x3[4], y3[4], z3[4];
  fmul(f, z1z1, p->z, p->z);
  fmul(f, u2, x2, z1z1);
  fmul(f, s2, y2, p->z);
  fmul(f, s2, s2, z1z1);
  fsub(f, h, u2, p->x);
  fsub(f, r, s2, p->y);
  if (is_zero(h)) {
    if (is_zero(r)) {
      jdouble(p);
      return 1;
    }
    return 0;
  }
  fadd(f, r, r, r);
  fmul(f, hh, h, h);
  fadd(f, i4, hh, hh);
  fadd(f, i4, i4, i4);
  fmul(f, j, h, i4);
  fmul(f, v, p->x, i4);
  fmul(f, x3, r, r);
  fsub(f, x3, x3, j);
  fsub(f, x3, x3, v);
  fsub(f, x3, x3, v);
  fsub(f, t, v, x3);
  fmul(f, y3, r, t);
  fmul(f, t, p->y, j);
  fadd(f, t, t, t);
  fsub(f, y3, y3, t);
  fadd(f, z3, p->z, h);
  fmul(f, z3, z3, z3);
  fsub(f, z3, z3, z1z1);
  fsub(f, z3, z3, hh);
  memcpy(p->x, x3, 32);
  memcpy(p->y, y3, 32);
  memcpy(p->z, z3, 32);
  return 1;
}

// Jacobian points to affine (in place: x, y), one inversion for all (Montgomery's trick).
static void batch_affine(jac_t *pts, u64 (*prefix)[4], size_t n) {
  const field_t *f = &FP;
  u64 acc[4];
  to_mont(f, acc, (const u64[4]){1, 0, 0, 0});
  for (size_t i = 0; i < n; i++) {
    memcpy(prefix[i], acc, 32);
    fmul(f, acc, acc, pts[i].z);
  }
  u64 inv[4];
  finv(f, inv, acc);
  for (size_t i = n; i-- > 0;) {
    u64 zi[4], zi2[4];
    fmul(f, zi, inv, prefix[i]);
    fmul(f, inv, inv, pts[i].z);
    fmul(f, zi2, zi, zi);
    fmul(f, pts[i].x, pts[i].x, zi2);
    fmul(f, pts[i].y, pts[i].y, zi2);
    fmul(f, pts[i].y, pts[i].y, zi);
  }
}

#define WINDOW_BITS 13
#define WINDOWS 20 // ceil(254 / 13)
#define DIGITS ((1 << WINDOW_BITS) - 1)
#define BATCH 4096

// table[w][d - 1] = d * 2^(13 w) * G, affine, Montgomery form.
static u64 (*table)[DIGITS][2][4];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void build_table(void) {
  field_init(&FP);
  field_init(&FR);
  table = malloc(sizeof(*table) * WINDOWS);
  jac_t *pts = malloc(sizeof(jac_t) * (DIGITS + 1));
  u64(*prefix)[4] = malloc(32 * (DIGITS + 1));
  u64 bx[4], by[4];
  to_mont(&FP, bx, (const u64[4]){1, 0, 0, 0});
  to_mont(&FP, by, (const u64[4]){2, 0, 0, 0});
  for (int w = 0; w < WINDOWS; w++) {
    jac_t cur = {{0}, {0}, {0}};
    memcpy(cur.x, bx, 32);
    memcpy(cur.y, by, 32);
    to_mont(&FP, cur.z, (const u64[4]){1, 0, 0, 0});
    pts[0] = cur;
    for (int d = 1; d <= DIGITS; d++) {
      jadd_affine(&cur, bx, by);
      pts[d] = cur; // pts[d] = (d + 1) * base; pts[DIGITS] = 2^13 * base
    }
    batch_affine(pts, prefix, DIGITS + 1);
    for (int d = 0; d < DIGITS; d++) {
      memcpy(table[w][d][0], pts[d].x, 32);
      memcpy(table[w][d][1], pts[d].y, 32);
    }
    memcpy(bx, pts[DIGITS].x, 32);
    memcpy(by, pts[DIGITS].y, 32);
  }
  free(pts);
  free(prefix);
}

static int mul_g(jac_t *acc, const u64 s[4]) {
  int started = 0;
  for (int w = 0; w < WINDOWS; w++) {
    int bit = w * WINDOW_BITS;
    u64 lo = s[bit / 64] >> (bit % 64);
    if (bit % 64 > 64 - WINDOW_BITS && bit / 64 < 3) lo |= s[bit / 64 + 1] << (64 - bit % 64);
    unsigned d = (unsigned)(lo & DIGITS);
    if (!d) continue;
    const u64(*pt)[4] = table[w][d - 1];
    if (!started) {
      memcpy(acc->x, pt[0], 32);
      memcpy(acc->y, pt[1], 32);
      to_mont(&FP, acc->z, (const u64[4]){1, 0, 0, 0});
      started = 1;
    } else if (!jadd_affine(acc, pt[0], pt[1])) {
      return 0;
    }
  }
  return started;
}

static void from_be(u64 r[4], const uint8_t *b) {
  for (int i = 0; i < 4; i++) {
    u64 v = 0;
    for (int k = 0; k < 8; k++) v = (v << 8) | b[(3 - i) * 8 + k];
    r[i] = v;
  }
}

static void to_be(uint8_t *b, const u64 a[4]) {
  for (int i = 0; i < 4; i++)
    for (int k = 0; k < 8; k++) b[(3 - i) * 8 + k] = (uint8_t)(a[i] >> (56 - 8 * k));
}

static napi_value g1_powers(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value args[4];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  void *data[3];
  size_t len[3];
  for (int i = 0; i < 3; i++) {
    napi_typedarray_type type;
    napi_value ab;
    size_t off;
    if (argc < 4 || napi_get_typedarray_info(env, args[i], &type, &len[i], &data[i], &ab, &off) != napi_ok || type != napi_uint8_array) {
      napi_throw_type_error(env, NULL, "expected (tau: Uint8Array, first: Uint8Array, out: Uint8Array, count)");
      return NULL;
    }
  }
  uint32_t count;
  napi_get_value_uint32(env, args[3], &count);
  if (len[0] != 32 || len[1] != 32 || len[2] < (size_t)count * 64) {
    napi_throw_range_error(env, NULL, "scalars are 32 bytes; out needs 64 bytes per point");
    return NULL;
  }
  pthread_once(&table_once, build_table);
  u64 tau[4], s[4], tau_m[4];
  from_be(tau, data[0]);
  from_be(s, data[1]);
  if (geq(tau, FR.m) || geq(s, FR.m)) {
    napi_throw_range_error(env, NULL, "scalars must be below the group order");
    return NULL;
  }
  to_mont(&FR, tau_m, tau); // s * tau_m / 2^256 = s * tau: s stays in normal form
  uint8_t *out = data[2];
  jac_t *pts = malloc(sizeof(jac_t) * BATCH);
  u64(*prefix)[4] = malloc(32 * BATCH);
  for (uint32_t b = 0; b < count; b += BATCH) {
    uint32_t n = count - b < BATCH ? count - b : BATCH;
    for (uint32_t k = 0; k < n; k++) {
      if (!mul_g(&pts[k], s)) {
        free(pts);
        free(prefix);
        napi_throw_error(env, NULL, "point at infinity in the CRS comb (tau is 0 mod r?)");
        return NULL;
      }
      fmul(&FR, s, s, tau_m);
    }
    batch_affine(pts, prefix, n);
    for (uint32_t k = 0; k < n; k++) {
      u64 x[4], y[4];
      from_mont(&FP, x, pts[k].x);
      from_mont(&FP, y, pts[k].y);
      to_be(out + (size_t)(b + k) * 64, x);
      to_be(out + (size_t)(b + k) * 64 + 32, y);
    }
  }
  free(pts);
  free(prefix);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_value f;
  napi_create_function(env, "g1Powers", NAPI_AUTO_LENGTH, g1_powers, NULL, &f);
  napi_set_named_property(env, exports, "g1Powers", f);
  return exports;
}
