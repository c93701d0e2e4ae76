// Exact conversion of a 64-bit pcapng timestamp (two 32-bit halves, in units of 1/unitsPerSecond)
// into whole seconds and nanoseconds. Doubles are exact below 2^53, so the common cases are done in
// plain number arithmetic; only unusual resolutions (power-of-2, finer than 1 ns) use BigInt.
import { CaptureFileError } from './types.js';

export interface TimestampResolution {
  /** timestamp units per second (e.g. 1e6 for µs); may be huge for exotic if_tsresol values */
  readonly unitsPerSecond: bigint;
  /** same as a number when it divides 1e9 exactly (fast path), else 0 */
  readonly fastUnits: number;
  /** nanoseconds per unit on the fast path */
  readonly nsPerUnit: number;
  /** seconds to add (pcapng if_tsoffset) */
  offsetSeconds: number;
}

const TWO32 = 4294967296;

/** if_tsresol byte: MSB clear → 10^-v seconds per unit, MSB set → 2^-(v & 0x7f). */
export function resolutionFromTsresol(v: number): TimestampResolution {
  const units = v & 0x80 ? 1n << BigInt(v & 0x7f) : 10n ** BigInt(v);
  return makeResolution(units);
}

export function makeResolution(unitsPerSecond: bigint): TimestampResolution {
  const fast = unitsPerSecond <= 1_000_000_000n && 1_000_000_000n % unitsPerSecond === 0n;
  return {
    unitsPerSecond,
    fastUnits: fast ? Number(unitsPerSecond) : 0,
    nsPerUnit: fast ? 1e9 / Number(unitsPerSecond) : 0,
    offsetSeconds: 0,
  };
}

/** nanoseconds per unit as a number (may be fractional), for CaptureInterfaceInfo.tsUnitNs */
export function tsUnitNs(r: TimestampResolution): number {
  return 1e9 / Number(r.unitsPerSecond);
}

export interface TimestampOut {
  sec: number;
  nsec: number;
}

/** Converts hi:lo units into out.sec / out.nsec (floor division; exact). `out` is reused by callers. */
export function convertTimestamp(hi: number, lo: number, r: TimestampResolution, out: TimestampOut): void {
  const u = r.fastUnits;
  if (u !== 0) {
    let sec: number;
    let rem: number;
    if (hi < 0x200000) {
      // value < 2^53: one exact division, then correct the rare rounding of the quotient
      const v = hi * TWO32 + lo;
      sec = Math.floor(v / u);
      rem = v - sec * u;
      if (rem < 0) {
        sec -= 1;
        rem += u;
      } else if (rem >= u) {
        sec += 1;
        rem -= u;
      }
    } else {
      // long division in 16-bit digits keeps every intermediate below 2^53 (u ≤ 1e9 < 2^30)
      const q1 = Math.floor(hi / u);
      let r1 = hi - q1 * u;
      let x = r1 * 65536 + (lo >>> 16);
      const q2 = Math.floor(x / u);
      r1 = x - q2 * u;
      x = r1 * 65536 + (lo & 0xffff);
      const q3 = Math.floor(x / u);
      rem = x - q3 * u;
      sec = q1 * TWO32 + q2 * 65536 + q3;
    }
    out.sec = sec + r.offsetSeconds;
    out.nsec = rem * r.nsPerUnit;
    return;
  }
  const v = (BigInt(hi) << 32n) | BigInt(lo);
  const units = r.unitsPerSecond;
  out.sec = Number(v / units) + r.offsetSeconds;
  out.nsec = Number(((v % units) * 1_000_000_000n) / units);
}

/** Splits seconds + nanoseconds into the hi/lo 32-bit halves of a nanosecond count (writer side). */
export function nanosToHiLo(sec: number, nsec: number, out: { hi: number; lo: number }): void {
  // sec*1e9 + nsec exceeds 2^53, so multiply in 16-bit digits of sec
  const sH = Math.floor(sec / 65536);
  const sL = sec - sH * 65536;
  const t = sL * 1e9 + nsec; // < 2^47
  const tLow = t % 65536;
  const m = sH * 1e9 + (t - tLow) / 65536;
  const mLow = m % 65536;
  out.hi = (m - mLow) / 65536;
  out.lo = mLow * 65536 + tLow;
}

/** Integer seconds in [0, maxSec) and integer nanoseconds in [0, 1e9), else a clear error. */
export function checkTimestamp(sec: number, nsec: number, maxSec: number, offset: number): void {
  if (Number.isInteger(sec) && sec >= 0 && sec < maxSec && Number.isInteger(nsec) && nsec >= 0 && nsec < 1e9)
    return;
  throw new CaptureFileError(
    'bad-field',
    offset,
    `writePacket: bad timestamp ${sec} s + ${nsec} ns (whole seconds since the epoch and 0..999999999 ns expected).`,
  );
}
