// The command line of `tickwise fleet`, checked in full before anything is opened: the action, its
// job or pattern, where the fleet state is. Every problem is a UsageError (exit code 2).

import { hostname, userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { parseDuration } from '@tickwise/core/schedule';
import { UsageError } from '../node/usage-error.js';
import type { DirectTarget } from './fleet-direct.js';
import { DEFAULT_HTTP_TIMEOUT_MS, type HttpOptions } from './fleet-http.js';

export const FLEET_USAGE = `Usage:
  tickwise fleet status                      every job (status, last run, next run, owner), replicas, what needs a look
  tickwise fleet runs <job> [-n <runs>]      the job's recent runs across replicas, newest first (default 20)
  tickwise fleet pause <job|glob> --reason "…" [--until <duration>] [--by <who>]
                                             pause on every replica within a second; --until 2h ends it by itself
  tickwise fleet resume <job|glob>           remove the pause of exactly that pattern
  tickwise fleet trigger <job> [--wait [<duration>]] [--by <who>]
                                             one run now on one replica that has the job; --wait (default 30s)
                                             waits for the run to end

Where the fleet state is (one of):
  --redis <url>       the Redis the replicas share (needs @tickwise/redis); --prefix <p> as configured (default tickwise:)
  --postgres <url>    the PostgreSQL the replicas share (needs @tickwise/postgres); --schema <s>, --table <t>
  --url <service>/jobs  a service's jobs endpoint (createHealthHandler); the token from TICKWISE_TOKEN, which keeps
                      it out of shell history (or --token <t>); --timeout <duration> per request (default 10s)

Options:
  --json              JSON for scripts (status: the FleetHealth document)
  --by <who>          pause, trigger: who asks (default $USER@hostname)
  -h, --help          this help

Exit codes:
  0  done; status: every job ok (paused jobs do not count)
  1  status: a job degraded, failing or overdue, or no replica alive; pause: no known job matches (the pause is
     recorded); resume: no pause of that pattern; trigger: no live replica has the job, or --wait: the run failed
     or did not end in time
  2  bad usage
  3  the store or service cannot be reached or used (connection, timeout, credentials, token, 404)`;

export type FleetTarget = DirectTarget | ({ kind: 'url' } & HttpOptions);

export type FleetRequest =
  | { action: 'status' }
  | { action: 'runs'; job: string; limit: number }
  | { action: 'pause'; pattern: string; reason: string; by: string; forMs?: number }
  | { action: 'resume'; pattern: string }
  | { action: 'trigger'; job: string; by: string; waitMs?: number };

/** What to do; `help` holds the exit code of printing the usage (0 when asked for, 2 when no action was given). */
export type FleetInvocation = { help: 0 | 2 } | { request: FleetRequest; target: FleetTarget; json: boolean };

type Action = FleetRequest['action'];
const ACTIONS: readonly Action[] = ['status', 'runs', 'pause', 'resume', 'trigger'];
const DEFAULT_WAIT = '30s';

/**
 * `--wait` may come without a value (the default): the next word is its value only when it reads
 * as one (a duration, or a bare number, which duration() then refuses for want of a unit).
 */
function withWaitValue(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg !== '--wait') {
      out.push(arg);
      continue;
    }
    const next = argv[i + 1];
    if (next !== undefined && (/^\d+$/.test(next) || parseDuration(next).ms > 0)) {
      out.push(`--wait=${next}`);
      i++;
    } else out.push(`--wait=${DEFAULT_WAIT}`);
  }
  return out;
}

/** A duration with its unit: a bare number would be milliseconds to parseDuration, a surprise on a command line. */
function duration(value: string, flag: string): number {
  const bare = value.trim();
  if (/^\d+$/.test(bare)) throw new UsageError(`${flag} needs a unit: ${bare}s, ${bare}m or ${bare}h`);
  const parsed = parseDuration(value);
  if (parsed.ms > 0) return parsed.ms;
  const why = parsed.diagnostics[0]?.message ?? 'it must be more than 0';
  throw new UsageError(`${flag} takes a duration such as 2h, 30m or 1h30m: ${why}`);
}

function defaultBy(env: Readonly<Record<string, string | undefined>>): string {
  let user = env.USER || env.USERNAME || env.LOGNAME;
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      user = 'unknown';
    }
  }
  return `${user}@${hostname()}`;
}

/** The stores' rule for names and patterns (1 to 1024 bytes, no control characters), checked here to fail before connecting. */
function checkName(name: string | undefined, action: Action, what: string): string {
  if (name === undefined || name === '')
    throw new UsageError(`tickwise fleet ${action} takes ${what}: tickwise fleet ${action} <${what}>`);
  if (Buffer.byteLength(name) > 1024) throw new UsageError('a job name or pattern is at most 1024 bytes');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new UsageError('a job name or pattern may not hold control characters');
  return name;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: withWaitValue(argv),
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean' },
      redis: { type: 'string' },
      postgres: { type: 'string' },
      url: { type: 'string' },
      token: { type: 'string' },
      prefix: { type: 'string' },
      schema: { type: 'string' },
      table: { type: 'string' },
      timeout: { type: 'string' },
      reason: { type: 'string' },
      until: { type: 'string' },
      by: { type: 'string' },
      wait: { type: 'string' },
      n: { type: 'string', short: 'n' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

type Values = ReturnType<typeof parse>['values'];

/** Exactly one of --redis, --postgres, --url, with only the flags that go with it. */
function targetOf(values: Values, env: Readonly<Record<string, string | undefined>>): FleetTarget {
  const given = (['redis', 'postgres', 'url'] as const).filter((flag) => values[flag] !== undefined);
  if (given.length === 0)
    throw new UsageError('say where the fleet state is: --redis <url>, --postgres <url> or --url <service>/jobs');
  if (given.length > 1)
    throw new UsageError(`give one of --redis, --postgres and --url, not ${given.map((t) => `--${t}`).join(' and ')}`);
  const kind = given[0] as 'redis' | 'postgres' | 'url';
  const only = (flag: 'prefix' | 'schema' | 'table' | 'token' | 'timeout', allowed: typeof kind) => {
    if (values[flag] !== undefined && kind !== allowed) throw new UsageError(`--${flag} is only for --${allowed}`);
  };
  only('prefix', 'redis');
  only('schema', 'postgres');
  only('table', 'postgres');
  only('token', 'url');
  only('timeout', 'url');
  if (kind === 'redis') {
    return { kind, url: values.redis as string, ...(values.prefix !== undefined && { prefix: values.prefix }) };
  }
  if (kind === 'postgres') {
    return {
      kind,
      url: values.postgres as string,
      ...(values.schema !== undefined && { schema: values.schema }),
      ...(values.table !== undefined && { table: values.table }),
    };
  }
  const token = values.token ?? (env.TICKWISE_TOKEN || undefined);
  return {
    kind,
    url: values.url as string,
    timeoutMs: values.timeout === undefined ? DEFAULT_HTTP_TIMEOUT_MS : duration(values.timeout, '--timeout'),
    ...(token !== undefined && { token }),
  };
}

function requestOf(action: Action, names: string[], values: Values, env: Readonly<Record<string, string | undefined>>) {
  if (action === 'status') {
    if (names.length > 0) throw new UsageError('tickwise fleet status takes no job name (see tickwise fleet runs)');
    return { action } satisfies FleetRequest;
  }
  if (names.length > 1)
    throw new UsageError(`tickwise fleet ${action} takes one job name or pattern; quote a glob: '${names[0]}'`);
  const name = checkName(names[0], action, action === 'runs' || action === 'trigger' ? 'job' : 'job|glob');
  const by = values.by ?? defaultBy(env);
  switch (action) {
    case 'runs': {
      const limit = values.n === undefined ? 20 : Number(values.n);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
        throw new UsageError(`-n must be a whole number from 1 to 1000, got '${values.n}'`);
      return { action, job: name, limit } satisfies FleetRequest;
    }
    case 'pause': {
      const reason = values.reason?.trim();
      if (!reason) {
        throw new UsageError(
          `a pause needs a reason, shown to whoever wonders why the job is not running: tickwise fleet pause '${name}' --reason "…"`,
        );
      }
      const forMs = values.until === undefined ? undefined : duration(values.until, '--until');
      return { action, pattern: name, reason, by, ...(forMs !== undefined && { forMs }) } satisfies FleetRequest;
    }
    case 'resume':
      return { action, pattern: name } satisfies FleetRequest;
    case 'trigger': {
      if (name.includes('*'))
        throw new UsageError(`tickwise fleet trigger takes one job name, not a pattern: '${name}'`);
      const waitMs = values.wait === undefined ? undefined : duration(values.wait, '--wait');
      return { action, job: name, by, ...(waitMs !== undefined && { waitMs }) } satisfies FleetRequest;
    }
  }
}

/** Reads `tickwise fleet <argv>`; throws UsageError (or node's ERR_PARSE_ARGS_* errors). */
export function parseFleetArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): FleetInvocation {
  const { values, positionals } = parse(argv);
  const [action, ...names] = positionals;
  if (values.help || action === 'help') return { help: 0 };
  if (action === undefined) return { help: 2 };
  if (!(ACTIONS as readonly string[]).includes(action))
    throw new UsageError(`unknown fleet command '${action}' (fleet commands: ${ACTIONS.join(', ')})`);
  const act = action as Action;
  const onlyFor = (flag: 'reason' | 'until' | 'by' | 'wait' | 'n', allowed: readonly Action[]) => {
    if (values[flag] !== undefined && !allowed.includes(act))
      throw new UsageError(`${flag === 'n' ? '-n' : `--${flag}`} is only for tickwise fleet ${allowed.join(' or ')}`);
  };
  onlyFor('reason', ['pause']);
  onlyFor('until', ['pause']);
  onlyFor('by', ['pause', 'trigger']);
  onlyFor('wait', ['trigger']);
  onlyFor('n', ['runs']);
  const target = targetOf(values, env);
  const request = requestOf(act, names, values, env);
  if (request.action !== 'status' && request.action !== 'runs' && target.kind === 'url' && !target.token) {
    throw new UsageError(
      `fleet ${request.action} over --url needs the service's token: set TICKWISE_TOKEN (or pass --token, which lands in shell history)`,
    );
  }
  return { request, target, json: values.json ?? false };
}
