// An independent brute-force model of the DST policy, for tests: walks every minute in UTC,
// converts with Intl (not our zone cache) and applies the two documented rules directly.
// It understands simple 5-field patterns only: numbers, *, lists, ranges and steps; days '*'
// or a day-of-week list.

const MINUTE = 60_000;

interface Wall {
  ms: number;
  minute: number;
  hour: number;
  day: number;
  month: number;
  weekday: number;
}

function fieldValues(text: string, min: number, max: number): Set<number> {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    const [base, stepText] = item.split('/');
    const step = stepText ? Number(stepText) : 1;
    let lo: number;
    let hi: number;
    if (base === '*') {
      lo = min;
      hi = max;
    } else if (base?.includes('-')) {
      [lo, hi] = base.split('-').map(Number) as [number, number];
    } else {
      lo = Number(base);
      hi = stepText ? max : lo;
    }
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return values;
}

export class DstOracle {
  private readonly format: Intl.DateTimeFormat;
  private readonly cache = new Map<number, Wall>();

  constructor(readonly zone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
  }

  wall(utcMs: number): Wall {
    let wall = this.cache.get(utcMs);
    if (!wall) {
      const parts = Object.fromEntries(this.format.formatToParts(utcMs).map((p) => [p.type, p.value]));
      const year = Number(parts.year);
      const month = Number(parts.month);
      const day = Number(parts.day);
      const hour = Number(parts.hour);
      const minute = Number(parts.minute);
      const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday as string);
      wall = { ms: Date.UTC(year, month - 1, day, hour, minute), minute, hour, day, month, weekday };
      this.cache.set(utcMs, wall);
    }
    return wall;
  }

  offset(utcMs: number): number {
    return this.wall(utcMs).ms - utcMs;
  }

  /** UTC instants in [fromMs, toMs) (minute-aligned) at which the offset changes. */
  transitions(fromMs: number, toMs: number, stepMs = 86_400_000): number[] {
    const found: number[] = [];
    for (let t = fromMs; t + stepMs <= toMs; t += stepMs) {
      if (this.offset(t) === this.offset(t + stepMs)) continue;
      let lo = t;
      let hi = t + stepMs;
      while (hi - lo > MINUTE) {
        const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
        if (this.offset(mid) === this.offset(lo)) lo = mid;
        else hi = mid;
      }
      found.push(hi);
    }
    return found;
  }

  /** Every fire of `pattern` in [fromMs, toMs), by the documented rules. */
  fires(pattern: string, fromMs: number, toMs: number): number[] {
    const [m, h, dom, mon, dow] = pattern.split(' ') as [string, string, string, string, string];
    const minutes = fieldValues(m, 0, 59);
    const hours = fieldValues(h, 0, 23);
    const days = fieldValues(dom, 1, 31);
    const months = fieldValues(mon, 1, 12);
    const weekdays = fieldValues(dow, 0, 6);
    const hourIsWildcard = h === '*' || h.startsWith('*/');
    const matches = (w: { minute: number; hour: number; day: number; month: number; weekday: number }) =>
      minutes.has(w.minute) && hours.has(w.hour) && days.has(w.day) && months.has(w.month) && weekdays.has(w.weekday);
    const fires = new Set<number>();
    for (let u = fromMs; u < toMs; u += MINUTE) {
      const wall = this.wall(u);
      if (matches(wall)) {
        // Rule 2: a fixed hour fires only at the first occurrence of a repeated wall time.
        let repeated = false;
        if (!hourIsWildcard) {
          for (let back = 1; back <= 180 && !repeated; back++) repeated = this.wall(u - back * MINUTE).ms === wall.ms;
        }
        if (!repeated) fires.add(u);
      }
      // Rule 1: wall times skipped at a spring-forward fire at (wall - offset before the gap).
      const before = this.offset(u - MINUTE);
      const after = this.offset(u);
      if (after > before) {
        for (let skipped = u + before; skipped < u + after; skipped += MINUTE) {
          const d = new Date(skipped);
          const w = {
            minute: d.getUTCMinutes(),
            hour: d.getUTCHours(),
            day: d.getUTCDate(),
            month: d.getUTCMonth() + 1,
            weekday: d.getUTCDay(),
          };
          if (matches(w)) fires.add(skipped - before);
        }
      }
    }
    return [...fires].filter((f) => f >= fromMs && f < toMs).sort((a, b) => a - b);
  }
}
