// Starts a real VS Code (code-server 4.100.3 = VS Code 1.100.3) with the packaged extension, and
// a headless Debian Chromium driven by playwright-core. Installed by test/e2e/install.sh only.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const E2E_DIR = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(E2E_DIR, '..', '..');
const CODE_SERVER = join(E2E_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** What is missing for the end-to-end test, in words; empty when everything is installed. */
export function missingParts(): string[] {
  const missing: string[] = [];
  if (!existsSync(CHROMIUM)) missing.push(`Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  if (!existsSync(CODE_SERVER)) missing.push('code-server 4.100.3 in test/e2e/node_modules');
  if (!existsSync(join(E2E_DIR, 'node_modules', 'playwright-core')))
    missing.push('playwright-core in test/e2e/node_modules');
  return missing;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Packs the extension (built by `npm run build`) into a .vsix with vsce, offline. */
export function packageExtension(outDir: string): string {
  const extension = join(ROOT, 'extension');
  if (!existsSync(join(extension, 'dist', 'extension.cjs'))) {
    throw new Error('extension/dist is missing: run `npm run build` (npm test does it)');
  }
  const vsix = join(outDir, 'tickwise-vscode.vsix');
  const vsce = createRequire(join(extension, 'package.json')).resolve('@vscode/vsce/vsce');
  execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--no-rewrite-relative-links', '--out', vsix], {
    cwd: extension,
    stdio: 'pipe',
  });
  return vsix;
}

export interface VsCode {
  url: string;
  workspace: string;
  userDataDir: string;
  stop(): void;
}

/**
 * code-server on a free port with a fresh profile, the .vsix installed, `workspace` copied to a
 * temp dir. Workspace trust stays on and the folder is not trusted: Restricted Mode.
 * `userSettings` go into the profile's user settings file (not the workspace's).
 */
export async function startVsCode(
  vsix: string,
  fixture: string,
  userSettings: Record<string, unknown> = {},
): Promise<VsCode> {
  const base = mkdtempSync(join(tmpdir(), 'tw-e2e-'));
  const workspace = join(base, 'workspace');
  cpSync(fixture, workspace, { recursive: true });
  const userDataDir = join(base, 'user-data');
  const extensionsDir = join(base, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({
      'telemetry.telemetryLevel': 'off',
      'update.mode': 'none',
      'workbench.startupEditor': 'none',
      'git.enabled': false,
      'security.workspace.trust.enabled': true,
      'security.workspace.trust.startupPrompt': 'never',
      'security.workspace.trust.untrustedFiles': 'open',
      'workbench.tips.enabled': false,
      'editor.hover.delay': 200,
      ...userSettings,
    }),
  );
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: join(base, 'xdg-config'),
    XDG_DATA_HOME: join(base, 'xdg-data'),
    TZ: 'UTC',
  };
  const common = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  execFileSync(process.execPath, [CODE_SERVER, ...common, '--install-extension', vsix], { env, stdio: 'pipe' });
  const port = await freePort();
  writeFileSync(join(base, 'config.yaml'), 'auth: none\ncert: false\n');
  const server: ChildProcess = spawn(
    process.execPath,
    [
      CODE_SERVER,
      '--config',
      join(base, 'config.yaml'),
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--auth',
      'none',
      ...common,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-getting-started-override',
      '--disable-proxy',
      '--disable-file-downloads',
      workspace,
    ],
    { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  server.stdout?.on('data', (d) => (output += d));
  server.stderr?.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || server.exitCode !== null) {
      throw new Error(`code-server did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url: `${url}/?folder=${encodeURIComponent(workspace)}`,
    workspace,
    userDataDir,
    stop() {
      // The whole process group: a file-watcher child outlives code-server's own process.
      try {
        if (server.pid) process.kill(-server.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}

/** The extension's log ("Tickwise" output channel), as VS Code writes it under the profile. */
export function extensionLog(userDataDir: string): string {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/Tickwise\.log$/.test(entry.name)) found.push(readFileSync(path, 'utf8'));
    }
  };
  if (existsSync(join(userDataDir, 'logs'))) walk(join(userDataDir, 'logs'));
  return found.join('\n');
}

export interface ExampleService {
  /** The service's base address, e.g. http://127.0.0.1:41234. */
  url: string;
  /** What it logged so far. */
  output(): string;
  stop(): void;
}

/**
 * examples/basic (built by `npm run build`) on a free loopback port: its three jobs on the
 * in-memory store, with createHealthHandler's fleet routes; `env` adds e.g. HEALTH_TOKEN, INSTANCE_ID.
 */
export async function startExampleService(env: Record<string, string>): Promise<ExampleService> {
  const main = join(ROOT, 'examples', 'basic', 'dist', 'main.js');
  if (!existsSync(main)) throw new Error('examples/basic/dist is missing: run `npm run build` (npm test does it)');
  const port = await freePort();
  const child = spawn(process.execPath, [main], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await fetch(`${url}/health`); // any answer: it is listening (503 only says a job is failing)
      break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`examples/basic did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    output: () => output,
    stop() {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
