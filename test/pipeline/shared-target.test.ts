/**
 * Two rule fields tested together that a pipeline maps onto one target field (issue 13, cause 7). SigmaHQ's
 * `azure_guest_to_member` tests `OperationName: 'Update user'` and a `properties.message` fragment; Splunk and
 * Elastic map both onto the operation name, so the query asked one field to equal both values and never fired.
 * Such a rule is refused with RC420, located at the second field; OR-ed fields and Sentinel (two columns) compile.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../backends/index.js';
import { loadTargets } from '../../src/cli/targets.js';
import { compileRule } from '../../src/compile.js';
import { readRuleFile } from '../../src/frontend.js';
import { runRulec } from '../helpers/run-rulec.js';

const targets = loadTargets(BACKENDS);

const GUEST = (condition = 'selection') => `title: Guest to member (shape of azure_guest_to_member)
id: 10000000-0000-4000-8000-0000000000d1
logsource: { product: azure, service: auditlogs }
detection:
  selection:
    Category: UserManagement
    OperationName: Update user
    properties.message: '"displayName":"UserType","oldValue":"[\\"Guest\\"]"'
  first:
    OperationName: Update user
  second:
    properties.message: Add member to group
  condition: ${condition}
level: medium
`;

function compile(yaml: string, target: string) {
  const { rules } = readRuleFile('test/guest.yml', Buffer.from(yaml));
  expect(rules).toHaveLength(1);
  return compileRule(
    rules[0]!,
    targets.find((t) => t.backend.id === target)!,
  );
}

describe('two rule fields on one target field (cause 7)', () => {
  it.each([
    ['splunk', 'operationName'],
    ['elastic', 'azure.auditlogs.operation_name'],
  ])('%s refuses the selection with RC420 naming both fields and the target field', (target, field) => {
    const result = compile(GUEST(), target);
    expect(result.status).toBe('refused');
    const rc420 = result.diagnostics.filter((d) => d.code === 'RC420');
    expect(rc420.map((d) => d.message)).toEqual([
      `fields 'OperationName' and 'properties.message' are tested together for different values but both map to '${field}' in ${target} for 'azure-auditlogs': one ${target} field would have to hold both values, so the rule could never fire`,
    ]);
  });

  it('selections joined by `and` collide too; joined by `or` they do not', () => {
    expect(compile(GUEST('first and second'), 'splunk').diagnostics.map((d) => d.code)).toContain('RC420');
    const either = compile(GUEST('first or second'), 'splunk');
    expect(either.status).not.toBe('refused');
    expect(either.diagnostics.map((d) => d.code)).not.toContain('RC420');
  });

  it('tests one value can satisfy together compile: a wildcard, or a value both fields accept', () => {
    for (const second of ["properties.message|contains: 'user'", "properties.message: ['Update user', 'x']"]) {
      const yaml = GUEST().replace(/properties\.message: '"displayName[^\n]*/, second);
      const result = compile(yaml, 'splunk');
      expect(result.diagnostics.map((d) => d.code)).not.toContain('RC420');
      expect(result.status).not.toBe('refused');
    }
  });

  it('Sentinel keeps the two fields apart (OperationName, ActivityDisplayName): no RC420', () => {
    const result = compile(GUEST(), 'sentinel');
    expect(result.diagnostics.map((d) => d.code)).not.toContain('RC420');
    expect(result.compiled!.query.query).toMatch(/OperationName =~ "Update user" and ActivityDisplayName =~/);
  });

  describe('through the binary', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rulec-shared-target-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('exits non-zero with RC420 at the second field, and writes no query', () => {
      writeFileSync(join(dir, 'guest.yml'), GUEST());
      const run = runRulec(['compile', '--target', 'splunk', 'guest.yml'], { cwd: dir });
      expect(run.status).not.toBe(0);
      expect(run.stderr).toMatch(/error\[RC420\]/);
      expect(run.stderr).toContain('guest.yml:8:5');
      expect(run.stdout).not.toContain('operationName=');
    });
  });
});
