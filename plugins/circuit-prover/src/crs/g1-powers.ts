// [tau^i]G1 for a range of i, in bb's file layout (64 bytes per point: x || y, 32-byte big-endian,
// normal form). Pure BigInt arithmetic and typed arrays only, so it runs in any worker (web
// standard). Method: a fixed-base comb (w-bit windows; table[j][d] = d * 2^(w*j) * G, affine),
// Jacobian mixed additions, one batched inversion per chunk to return to affine.

/** BN254 base field modulus. */
export const BN254_P = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
/** BN254 scalar field modulus (the order of G1). */
export const BN254_R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
export const G1_POINT_BYTES = 64;

const P = BN254_P;
const WINDOW_BITS = 13;
const BATCH = 4096;

export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  let r = 1n;
  let b = base % m;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

type Jac = [bigint, bigint, bigint];

/** Jacobian + affine on y^2 = x^3 + 3 (madd-2007-bl); doubles when the points are equal. */
function addMixed(X1: bigint, Y1: bigint, Z1: bigint, x2: bigint, y2: bigint): Jac {
  const z1z1 = (Z1 * Z1) % P;
  const u2 = (x2 * z1z1) % P;
  const s2 = (((y2 * Z1) % P) * z1z1) % P;
  const h = (u2 - X1 + P) % P;
  let r = (s2 - Y1 + P) % P;
  if (h === 0n) {
    if (r === 0n) return double(X1, Y1, Z1);
    // P + (-P): the scalar would have to be 0 mod r, which tau^i never is.
    throw new Error('point at infinity in the CRS comb (tau is 0 mod r?)');
  }
  r = (2n * r) % P;
  const hh = (h * h) % P;
  const i = (4n * hh) % P;
  const j = (h * i) % P;
  const v = (X1 * i) % P;
  const X3 = (((r * r - j - 2n * v) % P) + P) % P;
  const Y3 = (((r * ((v - X3 + P) % P) - ((2n * Y1) % P) * j) % P) + P) % P;
  const Z3 = ((((Z1 + h) * (Z1 + h) - z1z1 - hh) % P) + P) % P;
  return [X3, Y3, Z3];
}

/** Jacobian doubling, a = 0 (dbl-2009-l). */
function double(X1: bigint, Y1: bigint, Z1: bigint): Jac {
  const a = (X1 * X1) % P;
  const b = (Y1 * Y1) % P;
  const c = (b * b) % P;
  const d = (((2n * ((X1 + b) * (X1 + b) - a - c)) % P) + P) % P;
  const e = (3n * a) % P;
  const f = (e * e) % P;
  const X3 = (((f - 2n * d) % P) + P) % P;
  const Y3 = (((e * ((d - X3 + P) % P) - 8n * c) % P) + P) % P;
  const Z3 = (2n * Y1 * Z1) % P;
  return [X3, Y3, Z3];
}

/** Jacobian points to affine with a single inversion (Montgomery's trick). */
function toAffine(X: bigint[], Y: bigint[], Z: bigint[]): [bigint[], bigint[]] {
  const n = Z.length;
  const prefix = new Array<bigint>(n);
  let acc = 1n;
  for (let i = 0; i < n; i++) {
    prefix[i] = acc;
    acc = (acc * Z[i]!) % P;
  }
  let inv = modPow(acc, P - 2n, P);
  const x = new Array<bigint>(n);
  const y = new Array<bigint>(n);
  for (let i = n - 1; i >= 0; i--) {
    const zi = (inv * prefix[i]!) % P;
    inv = (inv * Z[i]!) % P;
    const zi2 = (zi * zi) % P;
    x[i] = (X[i]! * zi2) % P;
    y[i] = (((Y[i]! * zi2) % P) * zi) % P;
  }
  return [x, y];
}

interface CombTable {
  windows: number;
  mask: bigint;
  xs: bigint[][];
  ys: bigint[][];
}

let table: CombTable | undefined;

/** Built once per worker (~0.5 s): 20 windows x 8191 affine multiples of G. */
function combTable(): CombTable {
  if (table) return table;
  const windows = Math.ceil(254 / WINDOW_BITS);
  const size = (1 << WINDOW_BITS) - 1;
  const xs: bigint[][] = [];
  const ys: bigint[][] = [];
  let bx = 1n;
  let by = 2n;
  for (let j = 0; j < windows; j++) {
    const X = [bx];
    const Y = [by];
    const Z = [1n];
    let cur: Jac = [bx, by, 1n];
    for (let d = 2; d <= size; d++) {
      cur = addMixed(cur[0], cur[1], cur[2], bx, by);
      X.push(cur[0]);
      Y.push(cur[1]);
      Z.push(cur[2]);
    }
    const next = addMixed(cur[0], cur[1], cur[2], bx, by); // 2^w * base
    X.push(next[0]);
    Y.push(next[1]);
    Z.push(next[2]);
    const [ax, ay] = toAffine(X, Y, Z);
    bx = ax.pop()!;
    by = ay.pop()!;
    xs.push(ax);
    ys.push(ay);
  }
  table = { windows, mask: BigInt(size), xs, ys };
  return table;
}

function mulG(T: CombTable, scalar: bigint): Jac {
  let acc: Jac | undefined;
  let s = scalar;
  const w = BigInt(WINDOW_BITS);
  for (let j = 0; j < T.windows && s > 0n; j++) {
    const d = Number(s & T.mask);
    s >>= w;
    if (d === 0) continue;
    const x = T.xs[j]![d - 1]!;
    const y = T.ys[j]![d - 1]!;
    acc = acc ? addMixed(acc[0], acc[1], acc[2], x, y) : [x, y, 1n];
  }
  if (!acc) throw new Error('scalar 0 has no affine point');
  return acc;
}

const MASK64 = (1n << 64n) - 1n;
function writeWord(view: DataView, offset: number, v: bigint): void {
  view.setBigUint64(offset, v >> 192n, false);
  view.setBigUint64(offset + 8, (v >> 128n) & MASK64, false);
  view.setBigUint64(offset + 16, (v >> 64n) & MASK64, false);
  view.setBigUint64(offset + 24, v & MASK64, false);
}

/** Points [tau^i]G1 for i in [start, start + count), 64 bytes each. */
export function g1Powers(tau: bigint, start: number, count: number): Uint8Array {
  const T = combTable();
  const out = new Uint8Array(count * G1_POINT_BYTES);
  const view = new DataView(out.buffer);
  let s = modPow(tau, BigInt(start), BN254_R);
  for (let b = 0; b < count; b += BATCH) {
    const n = Math.min(BATCH, count - b);
    const X: bigint[] = [];
    const Y: bigint[] = [];
    const Z: bigint[] = [];
    for (let k = 0; k < n; k++) {
      const [x, y, z] = mulG(T, s);
      X.push(x);
      Y.push(y);
      Z.push(z);
      s = (s * tau) % BN254_R;
    }
    const [ax, ay] = toAffine(X, Y, Z);
    for (let k = 0; k < n; k++) {
      writeWord(view, (b + k) * G1_POINT_BYTES, ax[k]!);
      writeWord(view, (b + k) * G1_POINT_BYTES + 32, ay[k]!);
    }
  }
  return out;
}
