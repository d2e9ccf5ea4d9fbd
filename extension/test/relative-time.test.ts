// The short "in 3s" labels and the refresh decision: when the tree and the CodeLens redraw them.
// A clock is passed in; no timer runs here.

import assert from 'node:assert/strict';
import { MAX_REFRESH_MS, nextRefreshDelay, shortRelative } from '../src/service/relative-time.js';

const NOW = new Date('2026-11-30T18:00:00Z');
const after = (ms: number) => new Date(NOW.getTime() + ms);
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('relative labels: short, most significant unit first', () => {
  it('seconds under a minute, minutes under an hour, hours and minutes under a day, then days and hours', () => {
    const cases: [number, string][] = [
      [400, 'now'],
      [3_400, 'in 3s'],
      [59_999, 'in 59s'],
      [M, 'in 1m'],
      [90 * S, 'in 1m'],
      [59 * M + 59 * S, 'in 59m'],
      [14 * H, 'in 14h'],
      [13 * H + 10 * M + 30 * S, 'in 13h 10m'],
      [D, 'in 1d'],
      [3 * D + 4 * H + 59 * M, 'in 3d 4h'],
    ];
    for (const [ms, label] of cases) assert.equal(shortRelative(after(ms), NOW), label, `${ms} ms`);
  });
});

describe('refresh: when the next redraw is due', () => {
  it('no run ahead (nothing counts down): no timer', () => {
    assert.equal(nextRefreshDelay([], NOW), undefined);
    assert.equal(nextRefreshDelay([undefined, undefined], NOW), undefined);
  });

  it('the soonest run under a minute away: every second, just after its label changes', () => {
    assert.equal(nextRefreshDelay([after(3_400)], NOW), 401); // "in 3s" becomes "in 2s"
    assert.equal(nextRefreshDelay([after(5 * H), after(59_000), undefined], NOW), 1); // "in 59s" becomes "in 58s"
    assert.equal(nextRefreshDelay([after(400)], NOW), 401); // "now": redrawn once the run has passed
  });

  it('further away: once a minute at most, timed to the soonest label’s change', () => {
    assert.equal(nextRefreshDelay([after(90 * S)], NOW), 30 * S + 1); // "in 1m" becomes "in 59s"
    assert.equal(nextRefreshDelay([after(10 * M + 20 * S)], NOW), 20 * S + 1);
    assert.equal(nextRefreshDelay([after(3 * D + 30 * M)], NOW), MAX_REFRESH_MS); // "in 3d" for another half hour
    assert.equal(nextRefreshDelay([after(3 * D)], NOW), 1); // "in 3d" becomes "in 2d 23h"
  });

  it('a run that is not ahead any more: its label is stale, redraw now', () => {
    assert.equal(nextRefreshDelay([after(-5), after(10 * S)], NOW), 0);
  });

  it('agrees with the labels: unchanged until the refresh, changed at it (unless capped at a minute)', () => {
    // From a second on (under it, "now" changes because the run itself passes).
    for (let ms = S; ms < 2 * D; ms = Math.ceil(ms * 1.37) + 11) {
      const run = after(ms);
      const delay = nextRefreshDelay([run], NOW) as number;
      const at = (t: number) => shortRelative(run, new Date(NOW.getTime() + t));
      assert.equal(at(delay - 1), at(0), `${ms} ms: label steady before the refresh`);
      if (delay < MAX_REFRESH_MS) assert.notEqual(at(delay), at(0), `${ms} ms: label changed at the refresh`);
    }
  });
});
