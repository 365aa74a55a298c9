/**
 * Issue 10 §6, ATT&CK: an unknown attack.* tag is a located warning (RC140) with "did you mean" when one is close,
 * never silently dropped; a rule tagged with techniques only still gets their tactics in every target.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../backends/index.js';
import { suggestAttackTag } from '../../src/attack/diagnostics.js';
import { loadTargets } from '../../src/cli/targets.js';
import { compileRule } from '../../src/compile.js';
import { readRuleFile } from '../../src/frontend.js';
import { runRulec } from '../helpers/run-rulec.js';

function ruleWithTags(tags: readonly string[]): string {
  return [
    'title: Tagged rule',
    'id: 33333333-0000-4000-8000-000000000001',
    'status: test',
    'tags:',
    ...tags.map((t) => `    - ${t}`),
    'logsource: { product: m365, service: audit }',
    'detection:',
    '  selection:',
    '    Operation: New-InboxRule',
    '  condition: selection',
    'level: medium',
    '',
  ].join('\n');
}

describe('RC140: unknown ATT&CK tags', () => {
  const TAGS = [
    'attack.t9999',
    'attack.defense-evasoin',
    'attack.t1562.999',
    'attack.unknown-tactic',
    'attack.g0016',
    'attack.ds0005',
    'attack.t1562.001',
    'attack.persistence',
  ];

  it('warns once per unknown tag, on the tag, with a suggestion only when one is close', () => {
    const { rules, diagnostics } = readRuleFile('t.yml', ruleWithTags(TAGS));
    expect(rules).toHaveLength(1);
    expect(
      diagnostics.map((d) => [d.code, d.severity, `${d.span?.start.line}:${d.span?.start.col}`, d.label ?? '']),
    ).toEqual([
      ['RC140', 'warning', '5:7', ''],
      ['RC140', 'warning', '6:7', "did you mean 'attack.defense-evasion'?"],
      ['RC140', 'warning', '7:7', "did you mean 'attack.t1562'?"],
      ['RC140', 'warning', '8:7', ''],
    ]);
    expect(diagnostics[0]!.message).toBe(
      "ATT&CK tag 'attack.t9999' is not in the bundled ATT&CK v18.1 table: no target maps it to a tactic or technique",
    );
  });

  it('suggests tactics by edit distance, parents for unknown sub-techniques, nothing for other ids', () => {
    expect(suggestAttackTag('comand-and-control')).toBe('attack.command-and-control');
    expect(suggestAttackTag('privilege_escalaton')).toBe('attack.privilege-escalation');
    expect(suggestAttackTag('t1059.999')).toBe('attack.t1059');
    expect(suggestAttackTag('t9999')).toBeUndefined();
    expect(suggestAttackTag('stealth')).toBeUndefined();
  });

  it('rulec validate prints it with file:line:col, a code frame and the suggestion, exit 0', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rulec-attack-'));
    try {
      writeFileSync(join(dir, 'r.yml'), ruleWithTags(['attack.defense-evasoin', 'attack.t9999']));
      const run = runRulec(['validate', 'r.yml'], { cwd: dir });
      expect(run.status).toBe(0);
      expect(run.stderr + run.stdout).toContain('warning[RC140]');
      expect(run.stderr + run.stdout).toContain('r.yml:5:7');
      expect(run.stderr + run.stdout).toContain("did you mean 'attack.defense-evasion'?");
      expect(run.stderr + run.stdout).toContain('r.yml:6:7');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('technique-only rules get their tactics', () => {
  const targets = loadTargets(BACKENDS);
  const { rules } = readRuleFile('t.yml', ruleWithTags(['attack.t1562.001']));
  const compiled = (id: string) =>
    compileRule(
      rules[0]!,
      targets.find((t) => t.backend.id === id)!,
    );

  it('Elastic: a threat entry under the technique’s tactic and a "Tactic:" tag', () => {
    const json = JSON.parse(compiled('elastic').artifacts[0]!.content) as {
      threat: { tactic: { id: string } }[];
      tags: string[];
    };
    expect(json.threat.map((t) => t.tactic.id)).toEqual(['TA0005']);
    expect(json.tags).toContain('Tactic: Defense Evasion');
  });

  it('Sentinel: tactics and relevantTechniques in the YAML, tactics and techniques in ARM', () => {
    const result = compiled('sentinel');
    const yaml = result.artifacts.find((a) => a.path.endsWith('.yaml'))!.content;
    expect(yaml).toContain('tactics:\n  - DefenseEvasion\nrelevantTechniques:\n  - T1562.001\n');
    const arm = JSON.parse(result.artifacts.find((a) => a.path.endsWith('.arm.json'))!.content) as {
      resources: { properties: { tactics: string[]; techniques: string[] } }[];
    };
    expect(arm.resources[0]!.properties.tactics).toEqual(['DefenseEvasion']);
    expect(arm.resources[0]!.properties.techniques).toEqual(['T1562']);
  });
});
