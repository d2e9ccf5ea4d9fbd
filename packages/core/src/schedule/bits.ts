// Bit-set helpers for cron fields: a field of up to 60 values is two 30-bit small integers, so a
// compiled pattern stays a handful of numbers (tiny heap, no arrays to chase).

/** Lowest set bit at index >= from in a 32-bit mask, or -1. */
export function nextBit(mask: number, from: number): number {
  if (from > 31) return -1;
  const masked = from <= 0 ? mask : mask & ~((1 << from) - 1);
  if (masked === 0) return -1;
  return 31 - Math.clz32(masked & -masked);
}

export function hasBit(mask: number, index: number): boolean {
  return ((mask >>> index) & 1) === 1;
}

/** Lowest value >= from in a 60-value set stored as (lo: 0-29, hi: 30-59), or -1. */
export function nextBit60(lo: number, hi: number, from: number): number {
  if (from < 30) {
    const inLo = nextBit(lo, from);
    if (inLo >= 0) return inLo;
    const inHi = nextBit(hi, 0);
    return inHi >= 0 ? inHi + 30 : -1;
  }
  const inHi = nextBit(hi, from - 30);
  return inHi >= 0 ? inHi + 30 : -1;
}

export function hasBit60(lo: number, hi: number, index: number): boolean {
  return index < 30 ? hasBit(lo, index) : hasBit(hi, index - 30);
}
