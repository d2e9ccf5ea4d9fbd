import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool } from '../helpers/services.js';

const PROMTOOL = '/usr/bin/promtool';
const RULES = 'docs/alerts/tickwise.rules.yml';
const RULES_TEST = 'docs/alerts/tickwise.rules.test.yml';

function promtool(...args: string[]): { ok: boolean; output: string } {
  try {
    return { ok: true, output: execFileSync(PROMTOOL, args, { encoding: 'utf8', stdio: 'pipe' }) };
  } catch (error) {
    const { stdout, stderr } = error as { stdout: string; stderr: string };
    return { ok: false, output: `${stdout}${stderr}` };
  }
}

describe('alert rules (docs/alerts/tickwise.rules.yml) with promtool', () => {
  before(function () {
    requireTool(this, PROMTOOL, 'apt-get install -y prometheus');
  });

  it('promtool check rules: the file is valid', () => {
    const result = promtool('check', 'rules', RULES);
    assert.ok(result.ok, result.output);
    assert.match(result.output, /SUCCESS: 6 rules found/);
  });

  it('promtool test rules: each alert fires on its input series and not on healthy ones', () => {
    const result = promtool('test', 'rules', RULES_TEST);
    assert.ok(result.ok, result.output);
    assert.match(result.output, /SUCCESS/);
  });

  it('promtool test rules fails when a threshold changes (the rules test can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tickwise-rules-'));
    try {
      cpSync(RULES_TEST, join(dir, 'tickwise.rules.test.yml'));
      writeFileSync(join(dir, 'tickwise.rules.yml'), readFileSync(RULES, 'utf8').replace('> 30', '> 90'));
      const result = promtool('test', 'rules', join(dir, 'tickwise.rules.test.yml'));
      assert.equal(result.ok, false, result.output);
      assert.match(result.output, /TickwiseJobsLate/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the rules in the file are the alerts docs/observability.md lists', () => {
    const names = [...readFileSync(RULES, 'utf8').matchAll(/- alert: (\w+)/g)].map((m) => m[1]);
    const doc = readFileSync('docs/observability.md', 'utf8');
    for (const name of names) assert.ok(doc.includes(`\`${name}\``), `docs/observability.md names ${name}`);
  });
});
