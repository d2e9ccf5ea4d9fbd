// Copies cronstrue's English-only build (dist/cronstrue.js, ~56 KB, MIT) and its licence into
// dist/schedule/, where describe() loads it through the `#cronstrue` import (package.json
// `imports`). The cronstrue package itself installs every locale (~1.7 MB) that Tickwise never
// loads; shipping the one file it loads keeps `npm install @tickwise/core` small. cronstrue stays
// a devDependency, so its version is pinned and updated like any other (docs/decisions.md).
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const target = join(here, '..', 'dist', 'schedule');
const cronstrue = dirname(createRequire(import.meta.url).resolve('cronstrue/package.json'));
mkdirSync(target, { recursive: true });
// .cjs: the package is "type": "module", and cronstrue's build is a UMD (CommonJS) script.
copyFileSync(join(cronstrue, 'dist', 'cronstrue.js'), join(target, 'cronstrue.cjs'));
copyFileSync(join(cronstrue, 'LICENSE'), join(target, 'cronstrue.LICENSE'));
