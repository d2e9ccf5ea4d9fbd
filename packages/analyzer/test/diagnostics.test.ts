import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeSource } from '@tickwise/analyzer';
import { analyzeFiles, findSourceFiles } from '@tickwise/analyzer/node';
import { byCode, covered, ERRORS, fixture, NOW, PROJECT } from './helpers.js';

describe('diagnostics: the runtime’s checks, underlined exactly in the file', () => {
  const { text, analysis } = fixture('bad.ts', ERRORS);
  /** Code -> what each of its diagnostics underlines. */
  const underlined = (code: string) => byCode(analysis.diagnostics, code).map((d) => covered(text, d.span));

  it('a bad cron field: only the field, with the runtime’s message', () => {
    const [d] = byCode(analysis.diagnostics, 'TW103');
    assert.equal(d?.message, 'hour 25 is out of range 0-23');
    assert.equal(d?.severity, 'error');
    assert.equal(d?.job, 'Bad.badHour');
    assert.deepEqual(underlined('TW103'), ['25']);
  });

  it('an unknown time zone: the zone option’s value', () => {
    assert.deepEqual(underlined('TW107'), ["'Europe/Berln'"]);
  });

  it('a bad duration: the bad unit', () => {
    assert.deepEqual(underlined('TW109'), ['x']);
  });

  it('options registration would reject: out of range at the value, unknown at the key', () => {
    assert.deepEqual(underlined('TW303'), ["'40d'"]);
    assert.match(byCode(analysis.diagnostics, 'TW303')[0]?.message ?? '', /^timeout 40d is out of range/);
    assert.deepEqual(underlined('TW304'), ['overlapp']);
    assert.equal(
      byCode(analysis.diagnostics, 'TW304')[0]?.message,
      "unknown option 'overlapp' (did you mean 'overlap'?)",
    );
  });

  it('a job decorator on a property is an error on the decorator', () => {
    assert.deepEqual(underlined('TW302'), ["@Cron('0 9 * * *')"]);
    assert.equal(
      byCode(analysis.diagnostics, 'TW302')[0]?.message,
      "@Cron must decorate a method, not the property 'handler'",
    );
  });

  it('DST warnings are warnings, on the hour field', () => {
    const [d] = byCode(analysis.diagnostics, 'TW202');
    assert.ok(d);
    assert.equal(d.severity, 'warning');
    assert.equal(covered(text, d.span), '2');
  });

  it('an empty name, a schedule of the wrong type', () => {
    assert.deepEqual(underlined('TW306'), ["''"]);
    assert.deepEqual(underlined('TW305'), ['42']);
  });

  it('a string with escapes cannot be mapped character by character: the whole literal', () => {
    assert.deepEqual(underlined('TW105'), ["'0 9 * \\u002A 7-1'"]);
  });

  it('a schedule from a constant is underlined where the constant is written', () => {
    const source = [
      "import { Cron } from '@tickwise/core';",
      "const WEEKLY = '0 9 * * 8';",
      'class A {',
      '  @Cron(WEEKLY) m() {}',
      '}',
    ].join('\n');
    const [d] = analyzeSource('a.ts', source).diagnostics;
    assert.ok(d);
    assert.equal(d.code, 'TW103');
    assert.equal(d.span.line, 1);
    assert.equal(covered(source, d.span), '8');
  });

  it('duplicate names across files: both places, each naming the other', () => {
    const files = findSourceFiles([], { cwd: ERRORS });
    const duplicates = byCode(analyzeFiles(files, ERRORS, { now: NOW }).diagnostics, 'TW301');
    assert.deepEqual(
      duplicates.map((d) => `${d.file}:${d.span.line + 1}: ${d.message}`),
      [
        "bad.ts:22: job name 'dup' is also declared at other.ts:4",
        "other.ts:4: job name 'dup' is also declared at bad.ts:22",
      ],
    );
  });

  it('a valid project has no diagnostics at all (no info noise on valid schedules)', () => {
    const files = findSourceFiles([], { cwd: PROJECT });
    const result = analyzeFiles(files, PROJECT, { now: NOW });
    assert.deepEqual(result.diagnostics, []);
    assert.equal(result.jobs.length, 27);
  });

  it('a file that cannot be read is a TW300 error, and the others are still analysed', () => {
    const result = analyzeFiles([join(ERRORS, 'gone.ts'), join(ERRORS, 'other.ts')], ERRORS, { now: NOW });
    assert.deepEqual(
      result.diagnostics.map((d) => [d.code, d.file, d.message]),
      [['TW300', 'gone.ts', 'cannot read the file: ENOENT']],
    );
    assert.equal(result.jobs.length, 1);
  });
});
