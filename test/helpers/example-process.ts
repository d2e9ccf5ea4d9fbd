// An example service (or any script) in a child process, with what it prints collected, for the
// example tests.

import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ExampleProcess {
  readonly child: ChildProcess;
  /** Everything printed so far, stdout and stderr. */
  readonly output: string;
  /** Waits until `done()` holds; fails with `what` and the output if the process exits first or time runs out. */
  until(done: () => boolean, what: string | (() => string), timeoutMs?: number): Promise<void>;
}

/** `node <args>` from the repository root, with `env` over the test's environment. */
export function startExample(args: string[], env: Record<string, string> = {}): ExampleProcess {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  return {
    child,
    get output() {
      return output;
    },
    async until(done, what, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!done()) {
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(`${typeof what === 'function' ? what() : what}:\n${output}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}
