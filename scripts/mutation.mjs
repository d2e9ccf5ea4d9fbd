// `npm run mutation [group...]`: mutation testing with Stryker (not part of CI, it takes a while).
// Runs Stryker once per group of scripts/mutation-groups.mjs (all groups unless named), then
// prints the score of each mutated file and the total from the JSON reports in reports/mutation/.
// `--survivors` re-tests only the mutants that survived the last run of each group (after adding
// tests) and merges the answers into that group's report.
// The `stores` group needs Redis on 127.0.0.1:6379 and PostgreSQL on 127.0.0.1:5432.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { MUTATION_GROUPS } from './mutation-groups.mjs';

const require = createRequire(import.meta.url);
const stryker = join(dirname(require.resolve('@stryker-mutator/core/package.json')), 'bin/stryker.js');
const survivorsOnly = process.argv.includes('--survivors');
const asked = process.argv.slice(2).filter((a) => a !== '--survivors');
const unknown = asked.filter((name) => !(name in MUTATION_GROUPS));
if (unknown.length > 0) {
  console.error(`unknown group(s) ${unknown.join(', ')}; groups: ${Object.keys(MUTATION_GROUPS).join(', ')}`);
  process.exit(2);
}
const groups = asked.length > 0 ? asked : Object.keys(MUTATION_GROUPS);

const reportFile = (name) => `reports/mutation/${name}.json`;
const undetected = (mutant) => mutant.status === 'Survived' || mutant.status === 'NoCoverage';
const sameMutant = (a, b) =>
  a.mutatorName === b.mutatorName &&
  a.replacement === b.replacement &&
  JSON.stringify(a.location) === JSON.stringify(b.location);

let failed = false;
for (const group of groups) {
  const env = { ...process.env, TICKWISE_MUTATION_GROUP: group };
  let previous = null;
  if (survivorsOnly) {
    if (!existsSync(reportFile(group))) {
      console.log(`\n== mutation group ${group}: no report yet, running all of it ==`);
    } else {
      previous = JSON.parse(readFileSync(reportFile(group), 'utf8'));
      // Stryker's mutate ranges are line:column with 1-based lines and 0-based columns.
      const ranges = Object.entries(previous.files).flatMap(([file, { mutants }]) =>
        mutants
          .filter(undetected)
          .map(
            ({ location: { start, end } }) => `${file}:${start.line}:${start.column - 1}-${end.line}:${end.column - 1}`,
          ),
      );
      if (ranges.length === 0) continue;
      env.TICKWISE_MUTATION_MUTATE = JSON.stringify(ranges);
      env.TICKWISE_MUTATION_REPORT = `${group}.survivors`;
    }
  }
  console.log(`\n== mutation group ${group}${previous ? ' (last survivors)' : ''} ==`);
  const result = spawnSync(process.execPath, [stryker, 'run', 'stryker.config.mjs'], { stdio: 'inherit', env });
  if (result.status !== 0) failed = true;
  if (previous && result.status === 0) {
    const again = JSON.parse(readFileSync(reportFile(`${group}.survivors`), 'utf8'));
    for (const [file, { mutants }] of Object.entries(previous.files)) {
      const retested = Object.entries(again.files).find(([name]) => name === file)?.[1].mutants ?? [];
      for (const mutant of mutants.filter(undetected)) {
        const now = retested.find((other) => sameMutant(other, mutant));
        if (now) Object.assign(mutant, { status: now.status, killedBy: now.killedBy, statusReason: now.statusReason });
      }
    }
    writeFileSync(reportFile(group), JSON.stringify(previous));
  }
}

// Score = detected (killed or timed out) / (detected + survived + no coverage), as Stryker counts it.
const rows = [];
for (const group of Object.keys(MUTATION_GROUPS)) {
  const file = reportFile(group);
  if (!existsSync(file)) continue;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  for (const [name, { mutants }] of Object.entries(report.files)) {
    const count = (...statuses) => mutants.filter((m) => statuses.includes(m.status)).length;
    rows.push({
      file: relative(process.cwd(), name),
      killed: count('Killed', 'Timeout'),
      survived: count('Survived', 'NoCoverage'),
      invalid: count('CompileError', 'RuntimeError', 'Ignored'),
    });
  }
}
const pct = (killed, survived) =>
  killed + survived === 0 ? '  n/a' : ((100 * killed) / (killed + survived)).toFixed(1);
const width = Math.max(...rows.map((row) => row.file.length), 5);
console.log(`\n${'file'.padEnd(width)}  score  killed  survived  invalid`);
for (const row of rows) {
  console.log(
    `${row.file.padEnd(width)}  ${pct(row.killed, row.survived).padStart(5)}  ${String(row.killed).padStart(6)}  ${String(row.survived).padStart(8)}  ${String(row.invalid).padStart(7)}`,
  );
}
const sum = (key) => rows.reduce((total, row) => total + row[key], 0);
console.log(
  `${'total'.padEnd(width)}  ${pct(sum('killed'), sum('survived')).padStart(5)}  ${String(sum('killed')).padStart(6)}  ${String(sum('survived')).padStart(8)}  ${String(sum('invalid')).padStart(7)}`,
);
process.exit(failed ? 1 : 0);
