/**
 * Rule-controlled keys never reach Object.prototype (issue 11 §4): `targets: {__proto__: …}` is an unknown id, not
 * the prototype of every target's overrides; a misspelt target id is a located warning; field names that exist on
 * Object.prototype compile in every target.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../backends/index.js';
import { loadTargets } from '../../src/cli/targets.js';
import { compileRule } from '../../src/compile.js';
import { readRuleFile } from '../../src/frontend.js';
import { runRulec } from '../helpers/run-rulec.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rulec-proto-'));
  mkdirSync(join(dir, 'rules'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const RULE = `title: proto
id: 5d2f8a51-0c49-4f0e-9a55-7f6ad0b0c001
logsource: { product: m365, service: audit }
detection:
  sel: { Operation: Set-Mailbox }
  condition: sel
`;

describe('targets: overrides', () => {
  it('a __proto__ key is an unknown target, not the overrides of every target', () => {
    writeFileSync(
      join(dir, 'rules', 'r.yml'),
      `${RULE}targets:\n  __proto__: { enabled: true, language: eql, table: Evil }\n`,
    );
    const splunk = runRulec(['compile', '--target', 'splunk', '--artifact', 'rules'], { cwd: dir });
    expect(splunk.status).toBe(0);
    expect(splunk.stdout).toMatch(/^disabled = 1$/m);
    const elastic = runRulec(['compile', '--target', 'elastic', 'rules'], { cwd: dir });
    expect(elastic.status).toBe(0);
    expect(elastic.stdout).not.toMatch(/^any where/);
    expect(elastic.stdout).toContain('event.action:Set-Mailbox');
    expect(elastic.stderr).toContain("warning[RC038]: 'targets.__proto__' names no target");
    expect(elastic.stderr).toContain('--> rules/r.yml:8:3');
  });

  it('a misspelt target id is a located warning with a suggestion', () => {
    writeFileSync(join(dir, 'rules', 'r.yml'), `${RULE}targets:\n  splnk: { enabled: true }\n  elastic: {}\n`);
    const run = runRulec(['validate', 'rules'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe(
      [
        "warning[RC038]: 'targets.splnk' names no target (known: elastic, sentinel, splunk, js); its settings are ignored",
        ' --> rules/r.yml:8:3',
        '  |',
        '8 |   splnk: { enabled: true }',
        "  |   ^^^^^ did you mean 'splunk'?",
        '',
        '',
      ].join('\n'),
    );
  });
});

describe('field names that exist on Object.prototype', () => {
  const NAMES = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'];
  // A logsource each target maps while keeping unknown field names (Elastic refuses them for Windows data).
  const LOGSOURCE: Readonly<Record<string, string>> = {
    elastic: '{ product: m365 }',
    sentinel: '{ product: windows }',
    splunk: '{ product: windows }',
    js: '{ product: windows }',
  };
  const targets = loadTargets(BACKENDS);

  for (const target of targets) {
    const id = target.backend.id;
    it(`compile in ${id}`, () => {
      for (const name of NAMES) {
        const text = [
          `title: field ${name}`,
          'id: 5d2f8a51-0c49-4f0e-9a55-7f6ad0b0c002',
          `logsource: ${LOGSOURCE[id] ?? '{ product: windows }'}`,
          'detection:',
          `  sel: { "${name}": b, "${name}|contains": c }`,
          '  condition: sel',
          '',
        ].join('\n');
        const read = readRuleFile(`${name}.yml`, text);
        expect(
          read.diagnostics.filter((d) => d.severity === 'error'),
          name,
        ).toEqual([]);
        const result = compileRule(read.rules[0]!, target);
        const errors = result.diagnostics.filter((d) => d.severity === 'error');
        expect(errors, `${id} ${name}`).toEqual([]);
        expect(result.compiled?.query.query, `${id} ${name}`).toContain(name);
        if (id === 'elastic' && result.compiled?.query.query.startsWith('any where')) {
          // EQL marks fields the mapping does not declare as optional (`?field`); Object.prototype must not declare any.
          expect(result.compiled.query.query, name).toContain(`?${name}`);
        }
      }
    });
  }
});
