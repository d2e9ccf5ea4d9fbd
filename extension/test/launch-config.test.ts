// .vscode/launch.json and tasks.json let a contributor press F5 to run the extension or debug the
// tests: every path, task and script they name must exist (nothing else checks these files).

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** JSON with comments, as VS Code reads these files. */
function readJsonc(file: string): Record<string, unknown> {
  const text = readFileSync(join(root, file), 'utf8').replace(/^\s*\/\/.*$/gm, '');
  return JSON.parse(text) as Record<string, unknown>;
}

// VS Code's variable, written as the launch file has it.
const WORKSPACE_FOLDER = ['$', '{workspaceFolder}'].join('');
const inWorkspace = (value: string) => value.replaceAll(WORKSPACE_FOLDER, root);

describe('.vscode: F5 runs the extension and the tests', () => {
  const launch = readJsonc('.vscode/launch.json') as { configurations: Record<string, unknown>[] };
  const tasks = readJsonc('.vscode/tasks.json') as {
    tasks: { label: string; type: string; script?: string; path?: string; command?: string }[];
  };

  it('"Run the extension" points at the extension folder, whose main file is the esbuild output, after its build task', () => {
    const run = launch.configurations.find((c) => c.name === 'Run the extension');
    assert.ok(run);
    assert.equal(run.type, 'extensionHost');
    const args = run.args as string[];
    const development = inWorkspace((args[0] as string).replace('--extensionDevelopmentPath=', ''));
    const manifest = JSON.parse(readFileSync(join(development, 'package.json'), 'utf8')) as {
      main: string;
      scripts: Record<string, string>;
    };
    assert.equal(manifest.main, './dist/extension.cjs');
    assert.ok(existsSync(inWorkspace(args[1] as string)), `${args[1]} exists`);
    const task = tasks.tasks.find((t) => t.label === run.preLaunchTask);
    assert.ok(task, `the task '${String(run.preLaunchTask)}' is in tasks.json`);
    assert.equal(task.type, 'npm');
    assert.ok(manifest.scripts[task.script as string], `extension/package.json has a '${task.script}' script`);
    assert.equal(join(root, task.path as string), development);
  });

  it('the test configurations run scripts/run-tests.mjs, and the shell tasks name root npm scripts that exist', () => {
    const scripts = (
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    const tests = launch.configurations.filter((c) => String(c.name).startsWith('Test:'));
    assert.ok(tests.length >= 2);
    for (const test of tests) assert.ok(existsSync(inWorkspace(test.program as string)), String(test.program));
    for (const task of tasks.tasks.filter((t) => t.type === 'shell')) {
      const script = /^npm (?:run )?(\S+)$/.exec(task.command ?? '')?.[1];
      assert.ok(script && scripts[script], `'${task.command}' names a root script`);
    }
  });
});
