// Compiles test/fixtures/*.ts the way Nest apps are built (tsc with experimentalDecorators and
// emitDecoratorMetadata, which tsx/esbuild cannot emit) into ESM under packages/nestjs/.tmp/,
// where workspace packages resolve, and imports the result.

import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const here = dirname(fileURLToPath(import.meta.url));
// Inside the package, so its own node_modules (peer versions npm nested there) resolve too.
const packageDir = join(here, '..');

export async function importCompiledFixture<T>(name: string): Promise<T> {
  const out = join(packageDir, '.tmp', `nest-app-${process.pid}`);
  mkdirSync(out, { recursive: true });
  const fixtures = join(here, 'fixtures');
  for (const file of readdirSync(fixtures).filter((f) => f.endsWith('.ts'))) {
    const { outputText, diagnostics } = ts.transpileModule(readFileSync(join(fixtures, file), 'utf8'), {
      fileName: file,
      reportDiagnostics: true,
      compilerOptions: {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
        useDefineForClassFields: false,
      },
    });
    if (diagnostics?.length)
      throw new Error(`${file}: ${ts.flattenDiagnosticMessageText(diagnostics[0]?.messageText ?? '', '\n')}`);
    writeFileSync(join(out, file.replace(/\.ts$/, '.mjs')), outputText.replace(/(from '\.\/[^']+)\.js'/g, "$1.mjs'"));
  }
  return (await import(pathToFileURL(join(out, `${name}.mjs`)).href)) as T;
}
