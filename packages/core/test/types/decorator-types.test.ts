import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '..', 'fixtures', 'types');
const root = join(here, '..', '..', '..', '..');

/** Type-checks fixture files against the source of @tickwise/core (the package's tickwise-source condition). */
function typeErrors(files: string[], experimentalDecorators: boolean): string[] {
  const base = ts.getParsedCommandLineOfConfigFile(
    join(root, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, '\n')),
    },
  );
  assert.ok(base);
  const program = ts.createProgram(
    files.map((f) => join(fixtures, f)),
    {
      ...base.options,
      noEmit: true,
      customConditions: ['tickwise-source'],
      experimentalDecorators,
      types: ['node'],
    },
  );
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName.startsWith(fixtures))
    .map((d) => {
      const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
      return `${d.file?.fileName.slice(fixtures.length + 1)}:${line} TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    });
}

const expectations = (file: string) =>
  readFileSync(join(fixtures, file), 'utf8').match(/^\s*\/\/ @ts-expect-error/gm)?.length ?? 0;

describe('decorator types: a job method must be callable as (ctx: RunContext) => unknown', function () {
  // A real type-check of core's source: seconds on a busy machine.
  this.timeout(120_000);

  it('the fixtures hold the cases (so a silent pass cannot mean an empty file)', () => {
    assert.equal(expectations('decorators.ts'), 3);
    assert.equal(expectations('private-legacy.ts'), 1);
  });

  it('TC39 standard decorators: every @ts-expect-error errors, nothing else does', () => {
    assert.deepEqual(typeErrors(['decorators.ts'], false), []);
  });

  it('experimentalDecorators: the same, and a #private method does not compile', () => {
    assert.deepEqual(typeErrors(['decorators.ts', 'private-legacy.ts'], true), []);
  });
});

describe('the public API, by entry point (type-level tests)', function () {
  this.timeout(120_000);

  it('the fixture holds the cases', () => {
    assert.equal(expectations('public-api.ts'), 7);
  });

  it('each entry point offers what it should and the root does not offer the rest: every @ts-expect-error errors, nothing else does', () => {
    assert.deepEqual(typeErrors(['public-api.ts'], false), []);
  });
});
