// Stryker's build step for `npm run mutation`: gives the sandbox copy its own node_modules, so the
// `tickwise-source` condition resolves @tickwise/* to the sandbox's (mutated) packages/*/src.
// Stryker's own `symlinkNodeModules` links the whole root node_modules, whose @tickwise/* links
// point back at the real checkout: tests would then load unmutated code beside the mutated copy.
// Runs with cwd = the sandbox; stryker.config.mjs puts the repository root in TICKWISE_MUTATION_ROOT.
import { existsSync, mkdirSync, readdirSync, readlinkSync, realpathSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(process.env.TICKWISE_MUTATION_ROOT ?? '');
const sandbox = process.cwd();
const from = join(root, 'node_modules');
const to = join(sandbox, 'node_modules');
if (!existsSync(from) || resolve(root) === resolve(sandbox)) {
  throw new Error(`mutation-sandbox: expected the repository root in TICKWISE_MUTATION_ROOT, got "${root}"`);
}
mkdirSync(to, { recursive: true });
for (const entry of readdirSync(from)) {
  if (entry === '@tickwise' || existsSync(join(to, entry))) continue;
  symlinkSync(join(from, entry), join(to, entry));
}
// Workspace packages: the same names, pointing at the sandbox's copies.
mkdirSync(join(to, '@tickwise'), { recursive: true });
for (const name of readdirSync(join(from, '@tickwise'))) {
  const link = join(to, '@tickwise', name);
  if (existsSync(link)) continue;
  const target = resolve(join(from, '@tickwise'), readlinkSync(join(from, '@tickwise', name)));
  const inSandbox = join(sandbox, target.slice(root.length));
  if (existsSync(inSandbox)) symlinkSync(inSandbox, link);
}
const core = realpathSync(join(to, '@tickwise', 'core'));
if (!core.startsWith(sandbox))
  throw new Error(`mutation-sandbox: @tickwise/core resolves outside the sandbox: ${core}`);
