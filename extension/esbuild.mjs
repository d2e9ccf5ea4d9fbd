// Bundles the extension into dist/extension.cjs (VS Code loads CommonJS), with the schedule
// model and the analyzer inside, and copies TypeScript's parser beside it as dist/typescript.cjs
// (loaded on the first file that needs parsing, so activation stays fast).

import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);
mkdirSync('dist', { recursive: true });

await build({
  entryPoints: ['src/extension.ts'],
  outfile: 'dist/extension.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  // Workspace packages are bundled from their TypeScript sources (the repository's own export
  // condition): core's published dist/ is an ES module bundle whose lazy require()s (cronstrue,
  // through core's `#cronstrue` import) esbuild could not follow into this CommonJS bundle.
  conditions: ['tickwise-source'],
  // The analyzer's default TypeScript loader reads import.meta.url; give it the bundle's URL.
  define: { 'import.meta.url': '__tickwiseBundleUrl' },
  banner: { js: "var __tickwiseBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
});

copyFileSync(require.resolve('typescript/lib/typescript.js'), 'dist/typescript.cjs');
console.log('built dist/extension.cjs and dist/typescript.cjs');
