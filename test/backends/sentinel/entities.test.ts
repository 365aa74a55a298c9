/**
 * Issue 10 §6, Sentinel: entity mappings from the table a rule queries, `enabled` from the rule's status (or its
 * `enabled` key), and one combined ARM template beside the per-rule ones.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../../backends/index.js';
import {
  checkEntityData,
  entityMappingsFor,
  entityTable,
  MAX_ENTITIES,
  MAX_IDENTIFIERS,
} from '../../../backends/sentinel/entities.js';
import type { EntityMapping } from '../../../backends/sentinel/entities.js';
import { loadTargets } from '../../../src/cli/targets.js';
import { compileRule } from '../../../src/compile.js';
import { readRuleFile } from '../../../src/frontend.js';
import { runRulec } from '../../helpers/run-rulec.js';
import { pipeline } from './helpers.js';

const target = loadTargets(BACKENDS).find((t) => t.backend.id === 'sentinel')!;

function rule(head: string, logsource: string, detection: string): string {
  return [
    'title: Test rule',
    'id: 00000000-0000-4000-8000-000000000001',
    head,
    'logsource:',
    logsource,
    'detection:',
    detection,
    '  condition: selection',
    'level: high',
    '',
  ].join('\n');
}

const PROCESS_RULE = rule(
  'status: test',
  '  product: windows\n  category: process_creation',
  '  selection:\n    Image|endswith: \\evil.exe',
);

function compile(text: string): { yaml: string; arm: Record<string, unknown>; properties: Record<string, unknown> } {
  const { rules, diagnostics } = readRuleFile('t.yml', text);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const result = compileRule(rules[0]!, target);
  expect(result.status).not.toBe('refused');
  const yaml = result.artifacts.find((a) => a.path.endsWith('.yaml'))!.content;
  const arm = JSON.parse(result.artifacts.find((a) => a.path.endsWith('.arm.json'))!.content) as {
    resources: { properties: Record<string, unknown> }[];
  };
  return { yaml, arm, properties: arm.resources[0]!.properties };
}

describe('entity data (entities.yml)', () => {
  it('is valid for Sentinel: known identifiers, a required one per entity, within the limits', () => {
    const tables = Object.fromEntries(entityTable());
    expect(checkEntityData(tables)).toEqual([]);
  });

  it('rejects what Sentinel rejects', () => {
    const bad: Record<string, EntityMapping[]> = {
      T: [
        { entityType: 'Host', fieldMappings: [{ identifier: 'DnsDomain', columnName: 'D' }] },
        { entityType: 'Account', fieldMappings: [{ identifier: 'Address', columnName: 'A' }] },
        { entityType: 'Gadget', fieldMappings: [{ identifier: 'Name', columnName: 'G' }] },
        {
          entityType: 'Process',
          fieldMappings: ['CommandLine', 'ProcessId', 'ElevationToken', 'CreationTimeUtc'].map((identifier) => ({
            identifier,
            columnName: 'C',
          })),
        },
        { entityType: 'IP', fieldMappings: [{ identifier: 'Address', columnName: 'bad-name' }] },
      ],
      Many: Array.from({ length: MAX_ENTITIES + 1 }, () => ({
        entityType: 'IP',
        fieldMappings: [{ identifier: 'Address', columnName: 'Ip' }],
      })),
    };
    const problems = checkEntityData(bad);
    expect(problems).toEqual(
      expect.arrayContaining([
        'T Host: needs one of FullName, HostName, NetBiosName, AzureID, OMSAgentID',
        "T Account: 'Address' is not an identifier",
        'T Gadget: unknown entity type',
        `T Process: 4 identifiers, 1 to ${MAX_IDENTIFIERS}`,
        "T IP: column 'bad-name' is not a valid name",
        `Many: ${MAX_ENTITIES + 1} entities, at most ${MAX_ENTITIES}`,
      ]),
    );
  });

  it('names only real, non-dynamic columns of each table the pipeline maps to', () => {
    const columns = new Map<string, Record<string, string>>();
    for (const ls of pipeline.logsources) {
      const table = ls.destination['table'];
      if (typeof table === 'string') columns.set(table, { ...columns.get(table), ...ls.fieldTypes });
    }
    const missing: string[] = [];
    for (const [table, entities] of entityTable()) {
      const types = columns.get(table);
      if (!types) {
        missing.push(`${table}: no pipeline table`);
        continue;
      }
      for (const e of entities)
        for (const m of e.fieldMappings)
          if (types[m.columnName] === undefined || types[m.columnName] === 'dynamic')
            missing.push(`${table}.${m.columnName} (${types[m.columnName] ?? 'absent'})`);
    }
    expect(missing).toEqual([]);
  });

  it('drops a mapping whose column the table does not have, and an entity left without a required identifier', () => {
    const only = entityMappingsFor('DeviceProcessEvents', { DeviceName: 'string', FileName: 'string', Bag: 'dynamic' });
    expect(only).toEqual([
      { entityType: 'Host', fieldMappings: [{ identifier: 'FullName', columnName: 'DeviceName' }] },
      { entityType: 'File', fieldMappings: [{ identifier: 'Name', columnName: 'FileName' }] },
    ]);
    expect(entityMappingsFor('NoSuchTable', {})).toBeUndefined();
  });
});

describe('entityMappings in the artifacts', () => {
  it('maps host, account, process and file for a process_creation rule, in the YAML and the ARM template', () => {
    const { yaml, properties } = compile(PROCESS_RULE);
    const mappings = properties['entityMappings'] as EntityMapping[];
    expect(mappings.map((m) => m.entityType)).toEqual(['Host', 'Account', 'Process', 'File', 'Process']);
    expect(mappings[0]).toEqual({
      entityType: 'Host',
      fieldMappings: [{ identifier: 'FullName', columnName: 'DeviceName' }],
    });
    expect(mappings[2]).toEqual({
      entityType: 'Process',
      fieldMappings: [
        { identifier: 'CommandLine', columnName: 'ProcessCommandLine' },
        { identifier: 'ProcessId', columnName: 'ProcessId' },
      ],
    });
    expect(yaml).toContain('entityMappings:\n  - entityType: Host\n    fieldMappings:\n      - identifier: FullName');
  });

  it('maps the registry key for a registry rule and the remote IP and URL for a network rule', () => {
    const registry = compile(
      rule(
        'status: test',
        '  product: windows\n  category: registry_set',
        '  selection:\n    TargetObject|contains: \\Run',
      ),
    );
    expect((registry.properties['entityMappings'] as EntityMapping[]).map((m) => m.entityType)).toEqual([
      'Host',
      'Account',
      'Process',
      'RegistryKey',
      'RegistryValue',
    ]);
    const network = compile(
      rule(
        'status: test',
        '  product: windows\n  category: network_connection',
        '  selection:\n    DestinationPort: 4444',
      ),
    );
    const types = (network.properties['entityMappings'] as EntityMapping[]).map((m) => m.entityType);
    expect(types).toEqual(expect.arrayContaining(['Host', 'IP', 'URL']));
  });
});

describe('enabled', () => {
  it('deploys stable and test rules enabled, experimental/deprecated/unsupported ones disabled', () => {
    expect(compile(PROCESS_RULE).properties['enabled']).toBe(true);
    for (const status of ['experimental', 'deprecated', 'unsupported'])
      expect(compile(PROCESS_RULE.replace('status: test', `status: ${status}`)).properties['enabled']).toBe(false);
  });

  it("follows the rule's own enabled key either way", () => {
    expect(
      compile(PROCESS_RULE.replace('status: test', 'status: experimental\nenabled: true')).properties['enabled'],
    ).toBe(true);
    expect(compile(PROCESS_RULE.replace('status: test', 'status: stable\nenabled: false')).properties['enabled']).toBe(
      false,
    );
  });

  it('rejects a non-boolean enabled key (schema)', () => {
    const { diagnostics } = readRuleFile('t.yml', PROCESS_RULE.replace('status: test', 'enabled: sometimes'));
    expect(diagnostics.map((d) => d.code)).toContain('RC102');
  });
});

describe('rules.arm.json (rulec build)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rulec-sentinel-bundle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('deploys every rule from one template, sorted by rule GUID, each as in its own template', () => {
    mkdirSync(join(dir, 'rules'));
    writeFileSync(
      join(dir, 'rules', 'a.yml'),
      PROCESS_RULE.replace(/^id: .*$/m, 'id: 20000000-0000-4000-8000-000000000000'),
    );
    writeFileSync(
      join(dir, 'rules', 'b.yml'),
      PROCESS_RULE.replace(/^id: .*$/m, 'id: 10000000-0000-4000-8000-000000000000')
        .replace('Test rule', 'Other rule')
        .replace('status: test', 'status: deprecated'),
    );
    const run = runRulec(['build', 'rules', '--targets', 'sentinel', '--out', 'out', '--no-cache'], { cwd: dir });
    expect(run.stderr).not.toMatch(/error\[/);
    expect(run.status).toBe(0);
    const bundle = JSON.parse(readFileSync(join(dir, 'out', 'sentinel', 'rules.arm.json'), 'utf8')) as {
      parameters: Record<string, unknown>;
      resources: { name: string; type: string; scope: string; properties: Record<string, unknown> }[];
      metadata: { rules: Record<string, { displayName: string }> };
    };
    expect(Object.keys(bundle.parameters)).toEqual(['workspace']);
    expect(bundle.resources.map((r) => r.name)).toEqual([
      '10000000-0000-4000-8000-000000000000',
      '20000000-0000-4000-8000-000000000000',
    ]);
    for (const resource of bundle.resources) {
      const single = JSON.parse(readFileSync(join(dir, 'out', 'sentinel', `${resource.name}.arm.json`), 'utf8')) as {
        resources: unknown[];
      };
      expect(resource).toEqual(single.resources[0]);
    }
    expect(bundle.resources[0]!.properties['enabled']).toBe(false);
    expect(bundle.resources[1]!.properties['enabled']).toBe(true);
    expect(Object.keys(bundle.metadata.rules)).toEqual(bundle.resources.map((r) => r.name));
  });
});
