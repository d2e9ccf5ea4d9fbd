import assert from 'node:assert/strict';
import fc from 'fast-check';
import { matchesAny, matchesPattern } from '../../../src/runtime/kill-switch.js';

/** The reading the kill switch had before it shared its matcher with fleet pauses: a regex per pattern. */
const asRegex = (name: string, pattern: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('[\\s\\S]*')}$`,
  ).test(name);

describe('job-name wildcards (kill switch and fleet pauses)', () => {
  it('`*` matches any run of characters, anywhere, several times; the rest matches itself', () => {
    assert.equal(matchesPattern('Reports.daily', 'Reports.*'), true);
    assert.equal(matchesPattern('Reports.daily', '*.daily'), true);
    assert.equal(matchesPattern('Reports.daily', 'R*s.d*y'), true);
    assert.equal(matchesPattern('a', 'a*a'), false, 'the two ends may not overlap');
    assert.equal(matchesPattern('Reports.daily', 'Reports.'), false);
    assert.equal(matchesPattern('Reports(1)', 'Reports(1)'), true, 'no regex syntax');
    assert.equal(matchesAny('sync.crm', ['billing.*', 'sync.*']), 'sync.*');
    assert.equal(matchesAny('sync.crm', []), undefined);
  });

  it('agrees with a regex reading on random names and patterns', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', '.', '*', '(', '\n'), maxLength: 8 });
    fc.assert(
      fc.property(text, text, (name, pattern) => {
        const plain = name.replace(/\*/g, '');
        assert.equal(
          matchesPattern(plain, pattern),
          asRegex(plain, pattern),
          `${JSON.stringify(plain)} ~ ${JSON.stringify(pattern)}`,
        );
      }),
      { numRuns: 3000 },
    );
  });
});
