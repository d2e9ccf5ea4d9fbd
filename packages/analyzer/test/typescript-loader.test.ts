import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { analyzeSource, setTypeScriptLoader, type TypeScript } from '@tickwise/analyzer';

// TypeScript 7's `typescript` main entry exports only its version (no JS parser API). If an install
// is forced onto it, the first parse says what is wrong instead of failing with a TypeError.
describe('the TypeScript loader', () => {
  const real = () => createRequire(import.meta.url)('typescript') as TypeScript;
  after(() => setTypeScriptLoader(real));

  it('names the version and the need for TypeScript 6.x when the loaded typescript has no createSourceFile', () => {
    setTypeScriptLoader(() => ({ version: '7.0.2' }) as unknown as TypeScript);
    assert.throws(
      () => analyzeSource('a.ts', "import { Cron } from '@tickwise/core';\nclass A { @Cron('0 * * * *') run() {} }\n"),
      /needs TypeScript 6\.x for ts\.createSourceFile, but loaded typescript 7\.0\.2/,
    );
  });

  it('parses with TypeScript 6 again once it is loaded', () => {
    setTypeScriptLoader(real);
    const { jobs } = analyzeSource(
      'a.ts',
      "import { Cron } from '@tickwise/core';\nclass A { @Cron('0 * * * *') run() {} }\n",
    );
    assert.equal(jobs.length, 1);
  });
});
