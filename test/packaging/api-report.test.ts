import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// The API report (api/*.api.md, scripts/api-report.mjs) lists every export of every published
// entry point; the exports must match it, so the public surface changes only on purpose.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function check(env: Record<string, string> = {}): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [join(root, 'scripts', 'api-report.mjs'), '--check'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('the API report (api/*.api.md)', function () {
  this.timeout(60_000);

  it('matches the exports of every entry point of every package', () => {
    const { status, output } = check();
    assert.equal(status, 0, output);
  });

  it('fails, naming the package, when an export is not in the report', () => {
    const copy = mkdtempSync(join(tmpdir(), 'tickwise-api-'));
    try {
      cpSync(join(root, 'api'), copy, { recursive: true });
      const file = join(copy, 'core.api.md');
      writeFileSync(file, readFileSync(file, 'utf8').replace(/^- `Scheduler` .*\n/m, ''));
      const { status, output } = check({ API_DIR: copy });
      assert.equal(status, 1);
      assert.match(output, /core\.api\.md is out of date/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('the root of @tickwise/core stays small: store internals, telemetry names and parsing helpers live at subpaths', () => {
    const report = readFileSync(join(root, 'api', 'core.api.md'), 'utf8');
    const rootSection = report.split('## `@tickwise/core/')[0] as string;
    for (const name of [
      'ClaimBatch',
      'HeldClaim',
      'ATTR_JOB_NAME',
      'BUCKETS_JOB_DURATION',
      'parseDuration',
      'SystemClock',
    ]) {
      assert.ok(!rootSection.includes(`\`${name}\``), `${name} is exported from the root`);
    }
    assert.match(report, /## `@tickwise\/core\/store` [\s\S]*`ClaimBatch`/);
    assert.match(report, /## `@tickwise\/core\/telemetry` [\s\S]*`ATTR_JOB_NAME`/);
    const values = [...rootSection.matchAll(/^- `\w+` (class|function|const|enum)/gm)].length;
    assert.ok(values <= 30, `${values} values at the root`);
  });
});
