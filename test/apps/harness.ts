// Builds and boots real Nest applications (Nest 11 or Nest 12) in child processes, the way users
// build them: tsc with experimentalDecorators + emitDecoratorMetadata, against the *built*
// @tickwise packages, each process with exactly one copy of Nest. See test/apps/README.md.
//
// Layout of one built app (a temporary directory inside the Nest workspace, removed by dispose()):
//   test/apps/nest12/.run-<pid>-<n>-<name>/
//     node_modules/@tickwise/core      package.json + dist of packages/core (a copy, as npm would install it)
//     node_modules/@tickwise/nestjs    package.json + dist of packages/nestjs
//     src/*.ts                         the app's files, harness-events.ts, and main.ts unless the app has one
//     dist/*.js                        tsc's output; `node dist/main.js` boots the app
// Node resolves @nestjs/* from there by walking up: test/apps/nest12/node_modules (Nest 12), or for
// nest11 the repository's node_modules (Nest 11, hoisted). The @tickwise copies resolve Nest the
// same way, so the app and @tickwise/nestjs share one Nest; their other dependencies
// (p-retry, @opentelemetry/api, reflect-metadata, rxjs) come from the repository's node_modules.

import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { type AppEvent, EVENT_MARK } from './app-events.js';

export type { AppEvent } from './app-events.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');

export type NestMajor = 11 | 12;

export interface NestAppSpec {
  nest: NestMajor;
  /** A name for the run directory and messages, e.g. 'schedule-baseline'. */
  name: string;
  /**
   * The app's TypeScript files by path under src/, e.g. `{ 'app.module.ts': source }`. Without a
   * `main.ts` the harness adds one that boots `AppModule` from './app.module.js' (see defaultMain).
   * Import siblings with a `.js` extension; `./harness-events.js` has emit().
   */
  files: Record<string, string>;
  /** 'commonjs' (default, as Nest's starter builds) or 'esm' (a `"type": "module"` app). */
  format?: 'commonjs' | 'esm';
}

export interface BootOptions {
  /** Over the test's environment (NODE_OPTIONS is cleared, NO_COLOR set). */
  env?: Record<string, string>;
}

export interface WaitOptions {
  /** Default 60 s: the machine may be loaded; assert what happened, never how fast. */
  timeoutMs?: number;
  /** How many matching events to wait for; default 1. */
  count?: number;
}

/** One boot of a built app: its output, its events, and its exit. */
export interface NestAppProcess {
  readonly child: ChildProcess;
  /** Everything the app printed (stdout and stderr), event lines removed. */
  readonly output: string;
  /** Every event the app emitted so far, in order. */
  readonly events: readonly AppEvent[];
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Events of one type (and, if given, matching `fields`). */
  eventsOf(type: string, fields?: Record<string, unknown>): AppEvent[];
  /**
   * Resolves with the matching events once `count` have been emitted; rejects, with the app's
   * output, if the app exits first or the deadline passes.
   */
  waitFor(type: string, fields?: Record<string, unknown>, options?: WaitOptions): Promise<[AppEvent, ...AppEvent[]]>;
  /** Sends `signal` (default SIGTERM) and waits for the exit; SIGKILL after `timeoutMs` (default 60 s). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface BuiltNestApp {
  readonly spec: NestAppSpec;
  /** The run directory (removed by dispose()). */
  readonly dir: string;
  /** Starts `node dist/main.js` in the run directory. */
  boot(options?: BootOptions): NestAppProcess;
  /** Kills what is still running and removes the run directory. */
  dispose(): Promise<void>;
}

/**
 * The main.ts added when an app has none: an application context for `AppModule` (beside a
 * ShutdownProbe), shutdown hooks on, and a 'ready' event with the Nest version and where the app
 * and @tickwise/nestjs each resolve @nestjs/core (the same file when there is one Nest).
 * A boot failure is a 'boot-failed' event and exit code 1. NEST_LOG_LEVELS=log,warn,error in the
 * app's env sets Nest's log levels (the `logger` option); default all of them.
 */
export const defaultMain = `import 'reflect-metadata';
import { createRequire } from 'node:module';
import type { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { emit, ShutdownProbe } from './harness-events.js';

class HarnessRoot {}

/** '/x/node_modules/@nestjs/core' for a file inside that package, else ''. */
function nestPackageOf(file: string): string {
  const marker = '/node_modules/@nestjs/';
  const at = file.lastIndexOf(marker);
  return at < 0 ? '' : file.slice(0, at + marker.length) + (file.slice(at + marker.length).split('/')[0] ?? '');
}

async function main(): Promise<void> {
  const levels = process.env.NEST_LOG_LEVELS;
  const app = await NestFactory.createApplicationContext(
    { module: HarnessRoot, imports: [AppModule], providers: [ShutdownProbe] },
    levels ? { logger: levels.split(',') as LogLevel[] } : {},
  );
  app.enableShutdownHooks();
  const fromApp = createRequire(process.argv[1] as string);
  const tickwise = (() => {
    try {
      return fromApp.resolve('@tickwise/nestjs');
    } catch {
      return null;
    }
  })();
  emit('ready', {
    // require is a global only in a CommonJS module.
    format: typeof require === 'function' ? 'commonjs' : 'esm',
    nest: (fromApp('@nestjs/core/package.json') as { version: string }).version,
    nestCore: fromApp.resolve('@nestjs/core'),
    nestCoreFromTickwise: tickwise && createRequire(tickwise).resolve('@nestjs/core'),
    // The @nestjs packages in require.cache, by directory: all of them in a CommonJS app (an ES
    // module Nest loaded through require() is cached there too); ES modules import()ed are not.
    requiredNestPackages: [...new Set(Object.keys(fromApp.cache).map(nestPackageOf).filter(Boolean))].sort(),
  });
}

main().catch((error: unknown) => {
  emit('boot-failed', { message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
`;

const workspaces: Record<NestMajor, string> = { 11: join(here, 'nest11'), 12: join(here, 'nest12') };
const tickwisePackages = ['core', 'nestjs'] as const;

/** Newest modification time of the files under `dir`. */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

let checkedBuilds = false;
/** The harness runs the built packages: fail when a dist is missing, warn when it is older than src. */
function checkBuilds(): void {
  if (checkedBuilds) return;
  for (const name of tickwisePackages) {
    const dir = join(root, 'packages', name);
    if (!existsSync(join(dir, 'dist', 'index.js'))) {
      throw new Error(`packages/${name}/dist is missing: run \`npm run build\` (npm test does it for you)`);
    }
    if (newest(join(dir, 'src')) > newest(join(dir, 'dist'))) {
      console.warn(`  [nest app harness] packages/${name}/src is newer than its dist: run \`npm run build\``);
    }
  }
  checkedBuilds = true;
}

function compilerOptions(dir: string): ts.CompilerOptions {
  // What a Nest app's tsconfig has (decorators, metadata, CommonJS unless the package says module),
  // with strict checks on: the apps here are small and type errors should fail the build.
  return {
    target: ts.ScriptTarget.ES2021,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    strict: true,
    skipLibCheck: true,
    esModuleInterop: true,
    types: ['node'],
    rootDir: join(dir, 'src'),
    outDir: join(dir, 'dist'),
    noEmitOnError: true,
  };
}

/** Parsed declaration files, shared by every build (lib.d.ts, @types/node and Nest's .d.ts are big). */
const sourceCache = new Map<string, ts.SourceFile>();

function compile(dir: string): void {
  const options = compilerOptions(dir);
  const host = ts.createCompilerHost(options, true);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getCurrentDirectory = () => dir;
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    // The run directory's files (the app, the @tickwise copies) change between builds: never cached.
    if (fileName.startsWith(dir)) return getSourceFile(fileName, languageVersion, onError, shouldCreate);
    const format = typeof languageVersion === 'object' ? languageVersion.impliedNodeFormat : undefined;
    const key = `${fileName}\0${format}`;
    let file = sourceCache.get(key);
    if (!file) {
      file = getSourceFile(fileName, languageVersion, onError, shouldCreate);
      if (file) sourceCache.set(key, file);
    }
    return file;
  };
  const src = join(dir, 'src');
  const rootNames = readdirSync(src, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(src, file));
  const program = ts.createProgram({ rootNames, options, host });
  const checked = ts.getPreEmitDiagnostics(program);
  const diagnostics = checked.length > 0 ? checked : program.emit().diagnostics;
  if (diagnostics.length > 0) {
    throw new Error(
      `tsc failed for ${relative(root, dir)}:\n${ts.formatDiagnostics(diagnostics, {
        getCanonicalFileName: (f) => f,
        getCurrentDirectory: () => dir,
        getNewLine: () => '\n',
      })}`,
    );
  }
}

let runs = 0;
const liveDirs = new Set<string>();
const liveChildren = new Set<ChildProcess>();
// A test run that dies half-way must not leave processes or run directories behind.
process.once('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
  for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
});

/** Copies `package.json` and `dist/` of @tickwise/core and @tickwise/nestjs into `<dir>/node_modules`. */
function installTickwise(dir: string): void {
  for (const name of tickwisePackages) {
    const from = join(root, 'packages', name);
    const to = join(dir, 'node_modules', '@tickwise', name);
    mkdirSync(to, { recursive: true });
    cpSync(join(from, 'package.json'), join(to, 'package.json'));
    cpSync(join(from, 'dist'), join(to, 'dist'), { recursive: true });
  }
}

/** Writes, installs and compiles the app (synchronously: tsc is CPU-bound); boot it with boot(). */
export function buildNestApp(spec: NestAppSpec): BuiltNestApp {
  checkBuilds();
  const workspace = workspaces[spec.nest];
  const dir = join(workspace, `.run-${process.pid}-${++runs}-${spec.name}`);
  rmSync(dir, { recursive: true, force: true });
  liveDirs.add(dir);
  try {
    installTickwise(dir);
    const files: Record<string, string> = {
      'main.ts': defaultMain,
      ...spec.files,
      'harness-events.ts': readFileSync(join(here, 'app-events.ts'), 'utf8'),
    };
    for (const [path, source] of Object.entries(files)) {
      const file = join(dir, 'src', path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, source);
    }
    // The workspace's package.json says commonjs; an ESM app says so nearer.
    if (spec.format === 'esm') writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    compile(dir);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    liveDirs.delete(dir);
    throw error;
  }
  const children = new Set<NestAppProcess>();
  return {
    spec,
    dir,
    boot(options = {}) {
      const app = startApp(spec, dir, options);
      children.add(app);
      return app;
    },
    async dispose() {
      await Promise.all([...children].map((app) => (app.child.exitCode === null ? app.stop('SIGKILL') : undefined)));
      rmSync(dir, { recursive: true, force: true });
      liveDirs.delete(dir);
    },
  };
}

/** Builds and boots in one call, for a test that boots an app once; dispose() the result's `app`. */
export function bootNestApp(spec: NestAppSpec & BootOptions): { app: BuiltNestApp; run: NestAppProcess } {
  const app = buildNestApp(spec);
  return { app, run: app.boot(spec.env ? { env: spec.env } : {}) };
}

function matches(event: AppEvent, type: string, fields: Record<string, unknown> = {}): boolean {
  return event.type === type && Object.entries(fields).every(([key, value]) => event[key] === value);
}

function startApp(spec: NestAppSpec, dir: string, options: BootOptions): NestAppProcess {
  const label = `${spec.name} (Nest ${spec.nest})`;
  const child = spawn(process.execPath, [join(dir, 'dist', 'main.js')], {
    cwd: dir,
    // No NODE_OPTIONS: the test runner's conditions and loaders are not the app's.
    env: { ...process.env, NODE_OPTIONS: '', NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  liveChildren.add(child);
  let output = '';
  const events: AppEvent[] = [];
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of waiters) waiter();
  };
  let partial = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith(EVENT_MARK)) events.push(JSON.parse(line.slice(EVENT_MARK.length)) as AppEvent);
      else output += `${line}\n`;
    }
    notify();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
    // 'close' comes after 'exit' and after the last stdout data.
    child.once('close', (code, signal) => {
      liveChildren.delete(child);
      if (partial) output += partial;
      resolveExit({ code, signal });
    });
  });
  let closed = false;
  void exited.then(() => {
    closed = true;
    notify();
  });

  const describeState = () =>
    `events so far: ${JSON.stringify(events.map((e) => e.type))}\n--- output of ${label} ---\n${output}---`;

  const app: NestAppProcess = {
    child,
    exited,
    get output() {
      return output;
    },
    get events() {
      return events;
    },
    eventsOf: (type, fields) => events.filter((event) => matches(event, type, fields)),
    waitFor(type, fields = {}, { timeoutMs = 60_000, count = 1 } = {}) {
      const what = `${count} '${type}' event(s)${Object.keys(fields).length ? ` with ${JSON.stringify(fields)}` : ''}`;
      return new Promise<[AppEvent, ...AppEvent[]]>((resolveWait, reject) => {
        const check = () => {
          const found = app.eventsOf(type, fields);
          if (found.length >= Math.max(1, count))
            finish(() => resolveWait(found.slice(0, Math.max(1, count)) as [AppEvent, ...AppEvent[]]));
          else if (closed) finish(() => reject(new Error(`${label} exited before ${what}; ${describeState()}`)));
        };
        const timer = setTimeout(
          () => finish(() => reject(new Error(`${label}: no ${what} within ${timeoutMs} ms; ${describeState()}`))),
          timeoutMs,
        );
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      });
    },
    async stop(signal = 'SIGTERM', timeoutMs = 60_000) {
      if (!closed) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  return app;
}

/** Nest's log lines in `output` (its ConsoleLogger format), as level, context and message. */
export function nestLogLines(output: string): { level: string; context: string; message: string }[] {
  const lines: { level: string; context: string; message: string }[] = [];
  for (const match of output.matchAll(
    /^\[Nest\] \d+\s+-\s.*?\s+(LOG|ERROR|WARN|DEBUG|VERBOSE|FATAL) \[([^\]]*)\] (.*)$/gm,
  )) {
    lines.push({ level: match[1] as string, context: match[2] as string, message: match[3] as string });
  }
  return lines;
}
