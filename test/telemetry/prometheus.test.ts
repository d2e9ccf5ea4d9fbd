import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BUCKETS_CLAIM_DURATION, BUCKETS_JOB_DURATION, BUCKETS_JOB_LATENESS } from '@tickwise/core/telemetry';
import { type ExampleProcess, startExample } from '../helpers/example-process.js';
import { freePort, requireTool, sleep } from '../helpers/services.js';
import { TRUE_VALUES } from './prometheus-truth.js';

const PROMETHEUS = '/usr/bin/prometheus';
const RUNS = 20;

/** The bucket (lower, upper] of `boundaries` that holds `value`. */
function bucketOf(boundaries: readonly number[], value: number): [number, number] {
  const upper = boundaries.findIndex((b) => value <= b);
  assert.ok(upper >= 0, `${value} is beyond the last boundary`);
  return [upper === 0 ? 0 : (boundaries[upper - 1] as number), boundaries[upper] as number];
}

describe('histograms in a real Prometheus (Debian prometheus 2.42 scraping @opentelemetry/exporter-prometheus)', () => {
  let app: ExampleProcess | undefined;
  let prometheus: ChildProcess | undefined;
  let prometheusLog = '';
  let dir: string | undefined;
  let api = '';

  before(async function () {
    this.timeout(60_000);
    requireTool(this, PROMETHEUS, 'apt-get install -y prometheus');
    const appPort = await freePort();
    app = startExample(['--import', 'tsx/esm', 'test/telemetry/prometheus-app.ts', String(appPort), String(RUNS)]);
    await app.until(() => (app as ExampleProcess).output.includes('done'), 'the app did not finish its runs', 45_000);

    dir = mkdtempSync(join(tmpdir(), 'tickwise-prometheus-'));
    const config = join(dir, 'prometheus.yml');
    writeFileSync(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'rule_files:',
        `  - ${resolve('docs/alerts/tickwise.rules.yml')}`,
        'scrape_configs:',
        '  - job_name: tickwise-app',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${appPort}']`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      PROMETHEUS,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prometheus.stdout?.on('data', (chunk) => {
      prometheusLog += chunk;
    });
    prometheus.stderr?.on('data', (chunk) => {
      prometheusLog += chunk;
    });
    // Ready, and has scraped the app's final numbers.
    const deadline = Date.now() + 40_000;
    for (;;) {
      const count = await query(`sum(tickwise_job_runs_total{tickwise_job_name="report"})`).catch(() => null);
      if (count !== null && count >= RUNS) break;
      if (Date.now() > deadline || prometheus.exitCode !== null) {
        assert.fail(`Prometheus did not scrape ${RUNS} report runs (last: ${count}); its log:\n${prometheusLog}`);
      }
      await sleep(500);
    }
  });

  after(async () => {
    if (prometheus && prometheus.exitCode === null && prometheus.pid !== undefined) {
      process.kill(prometheus.pid, 'SIGTERM');
      await once(prometheus, 'exit');
    }
    app?.child.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function query(promql: string): Promise<number | null> {
    const response = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await response.json()) as {
      status: string;
      error?: string;
      data: { result: { value: [number, string] }[] };
    };
    if (body.status !== 'success') throw new Error(`${promql}: ${body.error}`);
    const first = body.data.result[0];
    return first ? Number(first.value[1]) : null;
  }

  const cases = [
    {
      title: 'tickwise.job.duration of a 0.3 s run',
      metric: 'tickwise_job_duration_bucket{tickwise_job_name="sync"}',
      boundaries: BUCKETS_JOB_DURATION,
      truth: TRUE_VALUES.syncDuration,
    },
    {
      title: 'tickwise.job.duration of a 40-minute run',
      metric: 'tickwise_job_duration_bucket{tickwise_job_name="report"}',
      boundaries: BUCKETS_JOB_DURATION,
      truth: TRUE_VALUES.reportDuration,
    },
    {
      title: 'tickwise.job.lateness of runs started 12 s late',
      metric: 'tickwise_job_lateness_bucket{tickwise_job_name="sync"}',
      boundaries: BUCKETS_JOB_LATENESS,
      truth: TRUE_VALUES.lateness,
    },
    {
      title: 'tickwise.claim.duration of 0.3 ms claims',
      metric: 'tickwise_claim_duration_bucket{tickwise_claim_result="acquired"}',
      boundaries: BUCKETS_CLAIM_DURATION,
      truth: TRUE_VALUES.claim,
    },
  ];

  for (const { title, metric, boundaries, truth } of cases) {
    it(`histogram_quantile(0.99) of ${title} lands in the bucket that holds the true value`, async () => {
      const [lower, upper] = bucketOf(boundaries, truth);
      const p99 = await query(`histogram_quantile(0.99, sum by (le) (${metric}))`);
      assert.ok(p99 !== null, `no data for ${metric}`);
      assert.ok(p99 > lower && p99 <= upper, `p99 ${p99} is outside (${lower}, ${upper}], the bucket of ${truth}`);
    });
  }

  it('exports exactly the advised boundaries (the SDK took the advice)', async () => {
    const response = await fetch(
      `${api}/api/v1/series?match[]=${encodeURIComponent('tickwise_claim_duration_bucket{tickwise_job_name="sync"}')}`,
    );
    const { data } = (await response.json()) as { data: { le: string }[] };
    const les = data.map((s) => s.le).filter((le) => le !== '+Inf');
    assert.deepEqual(
      les.map(Number).sort((a, b) => a - b),
      [...BUCKETS_CLAIM_DURATION],
    );
  });

  it('loads docs/alerts/tickwise.rules.yml and evaluates every rule without error, over metrics the app exports', async () => {
    const deadline = Date.now() + 20_000;
    let rules: { name: string; health: string; lastError?: string }[] = [];
    for (;;) {
      const response = await fetch(`${api}/api/v1/rules`);
      const { data } = (await response.json()) as { data: { groups: { rules: typeof rules }[] } };
      rules = data.groups.flatMap((g) => g.rules);
      if (rules.length > 0 && rules.every((r) => r.health !== 'unknown')) break;
      assert.ok(Date.now() < deadline, `rules not evaluated: ${JSON.stringify(rules)}`);
      await sleep(500);
    }
    assert.equal(rules.length, 6);
    for (const rule of rules) assert.equal(rule.health, 'ok', `${rule.name}: ${rule.lastError}`);
    // Metric names: followed by a selector or a range (label names are followed by ',', ')' or '=').
    const rulesText = readFileSync('docs/alerts/tickwise.rules.yml', 'utf8');
    const names = new Set([...rulesText.matchAll(/\b(tickwise_[a-z_]+)(?=[{[])/g)].map((m) => m[1] as string));
    assert.ok(names.size >= 4, [...names].join(', '));
    // The in-memory store has no clock of its own: no offset is exported here.
    names.delete('tickwise_store_clock_offset');
    for (const name of names) {
      const response = await fetch(`${api}/api/v1/series?match[]=${encodeURIComponent(name)}`);
      const { data } = (await response.json()) as { data: unknown[] };
      assert.ok(data.length > 0, `the rules use ${name}, which the app does not export`);
    }
    // Every run of 'long' (90 min) was slower than its expected hour, and each was counted once.
    const longRuns = await query(`sum(tickwise_job_runs_total{tickwise_job_name="long"})`);
    const slowRuns = await query(
      `sum(tickwise_job_expectation_missed_total{tickwise_job_name="long",tickwise_expectation_missed="slow"})`,
    );
    assert.ok(longRuns !== null && longRuns > 0 && slowRuns === longRuns, `${slowRuns} slow of ${longRuns} runs`);
  });
});
