// The import graph of packages/core/src, read from the import and export statements of every
// module (type-only imports included: a cycle of types is still a cycle for a reader).

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** `import … from './x.js'`, `export … from './x.js'`, `import './x.js'` and `import('./x.js')`. */
const RELATIVE_IMPORT =
  /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]|\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

type Graph = Map<string, string[]>;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Module (path relative to src) -> the modules it imports. */
function importGraph(): Graph {
  const graph: Graph = new Map();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    const imports = [...text.matchAll(RELATIVE_IMPORT)].map((match) => {
      const specifier = (match[1] ?? match[2]) as string;
      return relative(SRC, resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
    });
    graph.set(relative(SRC, file), [...new Set(imports)]);
  }
  return graph;
}

/** Every cycle a depth-first walk meets, each as the path that closes it (`a -> b -> a`). */
function findCycles(graph: Graph): string[] {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), next].join(' -> '));
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

/** Modules of `from/` that import something in `to/`, with what they import there. */
function importsBetween(graph: Graph, from: string, to: string): string[] {
  return [...graph].flatMap(([module, imports]) =>
    module.startsWith(`${from}/`)
      ? imports.filter((target) => target.startsWith(`${to}/`)).map((target) => `${module} -> ${target}`)
      : [],
  );
}

describe('import graph of packages/core/src', () => {
  const graph = importGraph();

  it('is read from every module (so a silent pass cannot mean an empty graph)', () => {
    assert.ok(graph.size > 80, `only ${graph.size} modules found`);
    assert.ok(graph.get('runtime/scheduler.ts')?.includes('runtime/scheduler-parts.ts'));
    assert.ok(graph.get('runtime/tick-runner.ts')?.includes('runtime/run-observer.ts'));
    assert.ok(graph.get('index.ts')?.includes('runtime/scheduler.ts'), 'export … from is an edge');
    for (const imports of graph.values()) {
      for (const target of imports) assert.ok(graph.has(target), `${target} is imported but is not a module`);
    }
  });

  it('finds a cycle when there is one (the check itself works)', () => {
    const planted: Graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    assert.deepEqual(findCycles(planted), ['a.ts -> b.ts -> c.ts -> a.ts']);
    assert.deepEqual(findCycles(new Map([['a.ts', ['a.ts']]])), ['a.ts -> a.ts']);
  });

  it('has no import cycle: every module can be read without the ones that import it', () => {
    assert.deepEqual(findCycles(graph), []);
  });

  it('telemetry imports nothing of the runtime: it implements the RunObserver by shape', () => {
    assert.ok(importsBetween(graph, 'runtime', 'telemetry').length > 0, 'the runtime builds the telemetry');
    assert.deepEqual(importsBetween(graph, 'telemetry', 'runtime'), []);
  });

  it('the schedule model imports nothing else of core', () => {
    const outside = [...graph].flatMap(([module, imports]) =>
      module.startsWith('schedule/')
        ? imports.filter((target) => !target.startsWith('schedule/')).map((target) => `${module} -> ${target}`)
        : [],
    );
    assert.deepEqual(outside, []);
  });
});
