/**
 * Sites in-process: placeholders in every target, per-rule destination overrides through the mapping (bound with
 * Microsoft's Kusto language service), and the published pipeline schema against rulec's own packs and profiles.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BACKENDS } from '../../backends/index.js';
import { createKustoChecker, tablesFromPipeline } from '../../backends/sentinel/kusto-check.js';
import { compileRule } from '../../src/compile.js';
import type { TargetResult } from '../../src/compile.js';
import { openConfig, resolveSite } from '../../src/config/site.js';
import type { Site } from '../../src/config/site.js';
import { readRuleFile } from '../../src/frontend.js';
import { validateDocument } from '../../src/schema/validate.js';
import { loadSource } from '../../src/source/load.js';
import { importPredicate } from '../fidelity/js-module.js';
import { PIPELINE_SCHEMA } from '../../src/pipeline/user.js';
import { loadPipeline } from '../../src/pipeline/load.js';
import { processRule, project } from './fixtures.js';

function site(dir: string, ids = BACKENDS.map((b) => b.id), pipelineFiles: string[] = []): Site {
  const options = { cwd: dir, pipelineFiles };
  return resolveSite(BACKENDS, ids, options, openConfig(BACKENDS, options));
}

function compile(dir: string, file: string, s: Site, target: string): TargetResult {
  const [rule] = readRuleFile(join(dir, file), readFileSync(join(dir, file))).rules;
  const backend = BACKENDS.find((b) => b.id === target)!;
  return compileRule(rule!, { backend, pipeline: s.pipelines[target]! });
}

const PLACEHOLDER_RULE = processRule(`selection:
  Image|endswith: '\\whoami.exe'
  CommandLine|expand: '%admins%'`);
const HOSTILE = `x" or true or "`;

describe('placeholders', () => {
  it('are expanded from the configuration in all four targets, values escaped like rule values', async () => {
    const dir = project({
      'rules/r.yml': PLACEHOLDER_RULE,
      'admins.txt': `# the admin accounts\nCORP\\alice\n\n${HOSTILE}\n`,
      'rulec.config.yml': 'placeholders:\n  admins: { file: admins.txt }\n',
    });
    const s = site(dir);
    expect(s.diagnostics).toEqual([]);
    const query = (t: string) => {
      const r = compile(dir, 'rules/r.yml', s, t);
      expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      return r.compiled!.query.query;
    };
    expect(query('splunk')).toContain('CommandLine IN ("CORP\\\\alice", "x\\" or true or \\"")');
    const kusto = query('sentinel');
    expect(kusto).toContain('ProcessCommandLine in~ ("CORP\\\\alice", "x\\" or true or \\"")');
    const checker = createKustoChecker(tablesFromPipeline(s.pipelines['sentinel']!));
    expect(checker.errors(kusto)).toEqual([]);
    expect(query('elastic')).toContain('process.command_line');
    expect(query('elastic')).toMatch(/x\\" or true or \\"/);
    // The JS predicate runs: it matches the configured value and nothing else.
    const match = await importPredicate(compile(dir, 'rules/r.yml', s, 'js').compiled!.query.query);
    expect(match({ Image: 'C:\\Windows\\whoami.exe', CommandLine: HOSTILE })).toBe(true);
    expect(match({ Image: 'C:\\Windows\\whoami.exe', CommandLine: 'corp\\ALICE' })).toBe(true);
    expect(match({ Image: 'C:\\Windows\\whoami.exe', CommandLine: 'x' })).toBe(false);
  });

  it("a target's own setting wins over the top-level values; a missing placeholder refuses with one line naming it", () => {
    const dir = project({
      'rules/r.yml': PLACEHOLDER_RULE,
      'rulec.config.yml':
        'placeholders:\n  admins: [root]\ntargets:\n  splunk: { placeholders: { admins: [splunk_admin] } }\n  sentinel: {}\n',
    });
    const s = site(dir, ['splunk', 'sentinel']);
    expect(compile(dir, 'rules/r.yml', s, 'splunk').compiled!.query.query).toContain('CommandLine="splunk_admin"');
    expect(compile(dir, 'rules/r.yml', s, 'sentinel').compiled!.query.query).toContain('ProcessCommandLine =~ "root"');
    const bare = project({ 'rules/r.yml': PLACEHOLDER_RULE });
    const none = site(bare, ['elastic']);
    const refused = compile(bare, 'rules/r.yml', none, 'elastic');
    expect(refused.status).toBe('refused');
    expect(refused.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([
      'RC209 placeholder %admins% has no value for elastic: set placeholders.admins in rulec.config.yml',
    ]);
  });

  it('a native reference the target cannot render is a configuration error, located', () => {
    const dir = project({
      'rules/r.yml': PLACEHOLDER_RULE,
      'rulec.config.yml': 'targets:\n  elastic: { placeholders: { admins: { watchlist: Admins } } }\n',
    });
    const s = site(dir, ['elastic']);
    expect(s.diagnostics.map((d) => [d.code, d.message, d.span?.start.line])).toEqual([
      ['RC607', 'elastic cannot resolve %admins% through a watchlist', 2],
    ]);
  });
});

describe('per-rule destination overrides go through the mapping', () => {
  const WITH_TABLE = processRule(
    `selection:
  Image|endswith: '\\whoami.exe'
  CommandLine|contains: '/priv'
  IntegrityLevel: High`,
    'targets:\n  sentinel: { table: SecurityEvent }\n',
  );

  it('targets.sentinel.table: SecurityEvent maps the columns for SecurityEvent and its data connector', () => {
    const dir = project({ 'rules/r.yml': WITH_TABLE });
    const s = site(dir, ['sentinel']);
    const result = compile(dir, 'rules/r.yml', s, 'sentinel');
    expect(result.status).toBe('ok');
    const query = result.compiled!.query.query;
    expect(query).toBe(
      'SecurityEvent\n| where EventID == 4688 and NewProcessName endswith "\\\\whoami.exe" and CommandLine contains "/priv" and MandatoryLabel =~ "S-1-16-12288"',
    );
    expect(result.compiled!.mapped.destination['requiredDataConnectors']).toEqual([
      { connectorId: 'SecurityEvents', dataTypes: ['SecurityEvent'] },
      { connectorId: 'WindowsSecurityEvents', dataTypes: ['SecurityEvent'] },
    ]);
    // Bound against the real SecurityEvent columns: 0 errors, where the old output (Defender columns on
    // SecurityEvent) had unknown-column errors.
    const checker = createKustoChecker(tablesFromPipeline(loadPipeline(BACKENDS[1]!.root, 'sentinel')));
    expect(checker.errors(query)).toEqual([]);
    const before =
      'SecurityEvent\n| where FolderPath endswith "\\\\whoami.exe" and ProcessCommandLine contains "/priv" and ProcessIntegrityLevel =~ "High"';
    expect(checker.errors(before).map((e) => e.code)).toEqual(['KS142', 'KS142', 'KS142']);
  });

  it('a table no entry maps the logsource onto is refused, saying why', () => {
    const dir = project({ 'rules/r.yml': WITH_TABLE.replace('SecurityEvent', 'DeviceEvents') });
    const result = compile(dir, 'rules/r.yml', site(dir, ['sentinel']), 'sentinel');
    expect(result.status).toBe('refused');
    expect(result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual(['RC406']);
    expect(result.diagnostics[0]!.message).toContain(
      'entry \'windows-process-creation\' maps it onto "DeviceProcessEvents"',
    );
  });

  it('targets.elastic.index and targets.splunk.index are honoured', () => {
    const rule = processRule(
      "selection:\n  Image|endswith: '\\whoami.exe'",
      'targets:\n  elastic: { index: [my-*] }\n  splunk: { index: sysmon, enabled: true }\n',
    );
    const dir = project({ 'rules/r.yml': rule });
    const s = site(dir, ['elastic', 'splunk']);
    const elastic = compile(dir, 'rules/r.yml', s, 'elastic');
    expect(JSON.parse(elastic.artifacts[0]!.content).index).toEqual(['my-*']);
    const splunk = compile(dir, 'rules/r.yml', s, 'splunk');
    expect(splunk.diagnostics.map((d) => d.code)).not.toContain('SP405');
    expect(splunk.compiled!.query.query).toMatch(/^index="sysmon" source=/);
    const bad = project({ 'rules/r.yml': rule.replace('index: sysmon', 'index: 5') });
    const refused = compile(bad, 'rules/r.yml', site(bad, ['splunk']), 'splunk');
    expect(refused.diagnostics.map((d) => d.code)).toEqual(['RC407']);
  });
});

describe('schema/pipeline.schema.json', () => {
  it('validates every built-in pack and profile file', () => {
    let files = 0;
    for (const backend of BACKENDS)
      for (const sub of ['pipeline', 'profiles']) {
        const dir = join(backend.root, sub);
        let names: string[] = [];
        try {
          names = readdirSync(dir).filter((f) => f.endsWith('.yml'));
        } catch {
          continue;
        }
        for (const name of names) {
          const file = join(dir, name);
          const text = readFileSync(file, 'utf8');
          const problems = validateDocument(PIPELINE_SCHEMA, parse(text), loadSource(file, text).documents[0]!.locator);
          expect(problems, file).toEqual([]);
          files++;
        }
      }
    expect(files).toBeGreaterThan(40);
  });
});
