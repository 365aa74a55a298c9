/**
 * The data-model (`| tstats`) form of the Splunk target, as the `cim` profile selects it: the where clause, the
 * post-filter on by-fields, the basename rewrite, the refusals, and escaping of hostile values.
 */
import fc from 'fast-check';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backend } from '../../../backends/splunk/index.js';
import { checkSpl, DATA_MODEL_COMMANDS } from '../../../backends/splunk/spl-check.js';
import type { MappedRule, Reporter } from '../../../src/backend/types.js';
import { compileRule, type TargetResult } from '../../../src/compile.js';
import { compileCorrelation } from '../../../src/correlation/compile.js';
import { resolveReferences } from '../../../src/correlation/resolve.js';
import { readRuleFile } from '../../../src/frontend.js';
import * as b from '../../../src/ir/build.js';
import type { IrNode } from '../../../src/ir/nodes.js';
import { ANY_CHARS, literalPart, literalPattern, ONE_CHAR, pattern } from '../../../src/ir/pattern.js';
import { layerPipeline } from '../../../src/pipeline/layer.js';
import { loadPipeline } from '../../../src/pipeline/load.js';
import { readPipelineFile } from '../../../src/pipeline/user.js';
import { makeRule } from '../../helpers/make-rule.js';

const builtin = loadPipeline(backend.root, backend.id);
const profile = readPipelineFile(join(backend.root, 'profiles', 'cim.yml'), builtin);
const pipeline = layerPipeline(builtin, profile.doc!, 'backends/splunk/profiles/cim.yml', 'profile cim');
const target = { backend, pipeline };

const PROCESS = { logsource: { product: 'windows', category: 'process_creation' } };
const lit = literalPattern;
const endsWith = (text: string) => pattern([ANY_CHARS, literalPart(text)]);
const contains = (text: string) => pattern([ANY_CHARS, literalPart(text), ANY_CHARS]);

const HEAD =
  '| tstats summariesonly=false allow_old_summaries=true fillnull_value="null" count min(_time) as firstTime max(_time) as lastTime from datamodel=Endpoint.Processes';
const BY =
  'by Processes.dest Processes.user Processes.parent_process_name Processes.parent_process Processes.process_name Processes.process Processes.process_id Processes.parent_process_id';
const RENAME = '| rename "Processes.*" AS *';

function compile(detection: IrNode, overrides: Parameters<typeof makeRule>[1] = PROCESS): TargetResult {
  return compileRule(makeRule(detection, overrides), target);
}

function codes(result: TargetResult): string[] {
  return result.diagnostics.map((d) => d.code);
}

/** The query of a rule that must compile; it must pass the SPL checker for data-model searches. */
function tstats(detection: IrNode, overrides: Parameters<typeof makeRule>[1] = PROCESS): string {
  const result = compile(detection, overrides);
  expect(result.status, JSON.stringify(result.diagnostics)).not.toBe('refused');
  const query = result.compiled!.query.query;
  expect(checkSpl(query, DATA_MODEL_COMMANDS), query).toEqual([]);
  return query;
}

/** The tstats where clause alone (between `where ` and ` by `) of a query with no post-filter. */
function whereOf(query: string): string {
  const first = query.split('\n')[0]!;
  const m = / where (.*) by Processes\.dest /.exec(first);
  expect(m, first).not.toBeNull();
  return m![1]!;
}

describe('splunk tstats form', () => {
  it('writes the ESCU shape: tstats over the dataset, by-fields, then the prefix dropped', () => {
    const query = tstats(
      b.and([
        b.stringMatch('Image', endsWith('\\whoami.exe')),
        b.stringMatch('CommandLine', contains('/priv')),
        b.stringMatch('IntegrityLevel', lit('High')),
      ]),
    );
    expect(query).toBe(
      `${HEAD} where Processes.process_name="whoami.exe" Processes.process="*/priv*" Processes.process_integrity_level="high" ${BY}\n${RENAME}`,
    );
  });

  it('keeps the seed (default) pipeline on a base search', () => {
    const result = compileRule(makeRule(b.stringMatch('Image', lit('x')), PROCESS), {
      backend,
      pipeline: builtin,
    });
    expect(result.compiled!.query.query.startsWith('source=')).toBe(true);
  });

  it('uses IN lists, NOT and comparisons in the where clause', () => {
    const query = tstats(
      b.and([
        b.or([b.stringMatch('CommandLine', contains('a')), b.stringMatch('CommandLine', contains('b'))]),
        b.not(b.stringMatch('ParentImage', lit('C:\\Windows\\explorer.exe'))),
        b.compare('ProcessId', 'gt', 4),
      ]),
    );
    expect(whereOf(query)).toBe(
      'Processes.process IN ("*a*", "*b*") NOT Processes.parent_process_path="C:\\\\Windows\\\\explorer.exe" Processes.process_id>4',
    );
  });

  it('has no where clause when the rule tests nothing tstats can', () => {
    const query = tstats(b.regexMatch('CommandLine', 'a.c', { ignoreCase: false, multiline: false, dotAll: false }));
    expect(query.split('\n')[0]).toBe(`${HEAD} ${BY}`);
  });
});

describe('splunk tstats basenames (SP601)', () => {
  it('searches a path ending in \\name as the file-name field', () => {
    const result = compile(b.stringMatch('ParentImage', endsWith('\\cmd.exe')));
    expect(whereOf(result.compiled!.query.query)).toBe('Processes.parent_process_name="cmd.exe"');
    expect(codes(result)).toEqual(['SP601']);
  });

  it('rewrites every value of a list and under NOT', () => {
    expect(
      whereOf(
        tstats(
          b.and([
            b.or([b.stringMatch('Image', endsWith('\\a.exe')), b.stringMatch('Image', endsWith('\\b.exe'))]),
            b.not(b.stringMatch('Image', endsWith('/bash'))),
          ]),
        ),
      ),
    ).toBe('Processes.process_name IN ("a.exe", "b.exe") NOT Processes.process_name="bash"');
  });

  it('keeps the path when the test is not exactly "separator + file name"', () => {
    for (const [p, expected] of [
      [endsWith('whoami.exe'), 'Processes.process_path="*whoami.exe"'],
      [endsWith('\\System32\\whoami.exe'), 'Processes.process_path="*\\\\System32\\\\whoami.exe"'],
      [endsWith('\\'), 'Processes.process_path="*\\\\"'],
      [lit('\\whoami.exe'), 'Processes.process_path="\\\\whoami.exe"'],
      [
        pattern([ANY_CHARS, literalPart('\\who'), ANY_CHARS, literalPart('.exe')]),
        'Processes.process_path="*\\\\who*.exe"',
      ],
    ] as const) {
      const result = compile(b.stringMatch('Image', p));
      expect(whereOf(result.compiled!.query.query)).toBe(expected);
      expect(codes(result)).not.toContain('SP601');
    }
  });

  it('keeps the cased flag, so the case-sensitive test still runs on the rows', () => {
    const query = tstats(b.stringMatch('Image', endsWith('\\Cmd.exe'), true));
    expect(query.split('\n')[1]).toBe(`| where match(nullif('Processes.process_name', "null"), "^Cmd\\\\.exe$")`);
  });
});

describe('splunk tstats post-filter (SP606)', () => {
  const flags = { ignoreCase: false, multiline: false, dotAll: false };

  it('tests a regex on the rows, its field in the by clause, null filler read as missing', () => {
    const result = compile(
      b.and([b.stringMatch('Image', endsWith('\\x.exe')), b.regexMatch('CurrentDirectory', '^C:\\\\Temp', flags)]),
    );
    const lines = result.compiled!.query.query.split('\n');
    expect(lines[0]).toBe(`${HEAD} where Processes.process_name="x.exe" ${BY} Processes.process_current_directory`);
    expect(lines[1]).toBe(`| where match(nullif('Processes.process_current_directory', "null"), "^C:\\\\\\\\Temp")`);
    expect(lines[2]).toBe(RENAME);
    expect(codes(result)).toContain('SP606');
    expect(checkSpl(result.compiled!.query.query, DATA_MODEL_COMMANDS)).toEqual([]);
  });

  it('makes a negated row test true when the field is missing (filled with "null")', () => {
    const query = tstats(b.not(b.regexMatch('CommandLine', 'x', flags)));
    expect(query.split('\n')[1]).toBe(
      `| where NOT (isnotnull(nullif('Processes.process', "null")) AND match(nullif('Processes.process', "null"), "x"))`,
    );
  });

  it('keeps a sound prefilter in the where clause for ? and a literal *', () => {
    const query = tstats(
      b.and([
        b.stringMatch('CommandLine', pattern([literalPart('a'), ONE_CHAR, literalPart('c')])),
        b.stringMatch('ParentCommandLine', contains('1*2')),
      ]),
    );
    const [first, post] = query.split('\n');
    expect(first).toContain(' where Processes.process="a*c" Processes.parent_process="*1*2*" by ');
    expect(post).toBe(
      `| where match(nullif('Processes.process', "null"), "(?is)^a.c$") AND match(nullif('Processes.parent_process', "null"), "(?is)^.*1\\\\*2.*$")`,
    );
  });

  it('compares two fields on the rows (fieldref), both in the by clause', () => {
    const query = tstats(b.fieldRef('CurrentDirectory', 'ParentImage'));
    expect(
      query.split('\n')[0]!.endsWith(`${BY} Processes.process_current_directory Processes.parent_process_path`),
    ).toBe(true);
    expect(query.split('\n')[1]).toBe(
      `| where lower(nullif('Processes.process_current_directory', "null"))=lower(nullif('Processes.parent_process_path', "null"))`,
    );
  });
});

describe('splunk tstats refusals', () => {
  it('refuses a correlation over data-model searches, whose rows are not events (SP607)', () => {
    const text = [
      'title: Whoami',
      'name: whoami',
      'logsource: {product: windows, category: process_creation}',
      'detection:',
      "  selection: {Image|endswith: '\\whoami.exe'}",
      '  condition: selection',
      '---',
      'title: Many whoami',
      'correlation:',
      '  type: event_count',
      '  rules: [whoami]',
      '  group-by: [Computer]',
      '  timespan: 1h',
      '  condition: {gte: 3}',
      '',
    ].join('\n');
    const read = readRuleFile('c.yml', text);
    const resolution = resolveReferences(read.rules, read.correlations, read.filters);
    const result = compileCorrelation(resolution.correlations[0]!, target);
    expect(result.query).toBeUndefined();
    expect(result.diagnostics.map((d) => d.code)).toContain('SP607');
    // The same correlation over the built-in pipeline's base search still compiles.
    expect(compileCorrelation(resolution.correlations[0]!, { backend, pipeline: builtin }).query?.query).toContain(
      '| stats count as event_count by _time Computer',
    );
  });

  it('refuses a keyword: a data model has no raw text (SP602)', () => {
    const result = compile(b.keyword(lit('mimikatz')));
    expect(result.status).toBe('refused');
    expect(codes(result)).toContain('SP602');
  });

  it('refuses fields CIM lacks, naming them (RC403, RC402)', () => {
    const missing = compile(b.stringMatch('Company', lit('x')));
    expect(missing.status).toBe('refused');
    expect(missing.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([
      "RC403 field 'Company' does not exist in splunk data for 'windows-process-creation'",
    ]);
    const unknown = compile(b.stringMatch('Foo', lit('x')));
    expect(codes(unknown)).toEqual(['RC402']);
  });

  const mapped = (
    destination: Record<string, unknown>,
    detection: IrNode = b.stringMatch('Processes.process', lit('x')),
  ) => ({ rule: makeRule(detection), detection, destination, fieldTypes: {} }) satisfies MappedRule;
  function render(m: MappedRule): { query: string; refused: string[] } {
    const refused: string[] = [];
    const report: Reporter = { warn() {}, info() {}, refuse: (code, message) => refused.push(`${code} ${message}`) };
    return { query: backend.renderQuery(m, report).query, refused };
  }

  it('refuses a field outside the dataset, which tstats cannot test (SP603)', () => {
    const { refused } = render(
      mapped({ datamodel: 'Endpoint.Processes' }, b.and([b.stringMatch('CommandLine', lit('x')), b.exists('index')])),
    );
    expect(refused).toEqual([
      "SP603 field 'CommandLine' is not a field of data model Endpoint.Processes (Processes.*): tstats cannot test it",
    ]);
  });

  it('refuses bad data-model settings (SP604) and a base-search macro (SP605)', () => {
    for (const destination of [
      { datamodel: 'Endpoint' },
      { datamodel: 'Endpoint.Processes where x=1' },
      { datamodel: 'Endpoint.Processes', object: 'Proc"esses' },
      { datamodel: 'Endpoint.Processes', by: ['Processes.dest', 'Processes.user | delete'] },
      { datamodel: 'Endpoint.Processes', by: ['Filesystem.dest'] },
      { datamodel: 'Endpoint.Processes', by: 'Processes.dest' },
      { datamodel: 'Endpoint.Processes', basenames: { 'Processes.process_path': 3 } },
    ])
      expect(render(mapped(destination)).refused.map((r) => r.slice(0, 5))).toEqual(['SP604']);
    expect(
      render(mapped({ datamodel: 'Endpoint.Processes', macro: 'sysmon' })).refused.map((r) => r.slice(0, 5)),
    ).toEqual(['SP605']);
  });

  it('puts a site index into the where clause (index is an indexed field tstats can test)', () => {
    const { query, refused } = render(
      mapped({ datamodel: 'Endpoint.Processes', index: 'edr', by: ['Processes.dest'] }),
    );
    expect(refused).toEqual([]);
    expect(query.split('\n')[0]).toBe(`${HEAD} where index="edr" Processes.process="x" by Processes.dest`);
  });
});

/** Reverses the SPL string layer: `\\` → `\`, `\"` → `"`. */
function unquote(text: string): string {
  return text.replace(/\\([\\"])/g, '$1');
}

function toJsRegex(pcre: string): RegExp {
  const m = /^\(\?([ims]+)\)/.exec(pcre);
  const source = (m ? pcre.slice(m[0].length) : pcre).replace(/\\x\{([0-9a-f]+)\}/g, '\\u{$1}');
  return new RegExp(source, `u${m ? m[1] : ''}`);
}

describe('splunk tstats escaping', () => {
  it('keeps hostile values inside their literals', () => {
    for (const value of [
      'a"b',
      'C:\\Windows\\',
      'x | delete',
      'a [search index=_internal]',
      '\\"',
      'a\\|b',
      'x` `y',
      'l1\nl2',
    ])
      tstats(b.stringMatch('CommandLine', lit(value)));
  });

  const hostile = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc
      .array(fc.constantFrom('\\', '"', '*', '`', '\n', '\u2028', '|', "'", '[', ']', ' ', 'OR', 'null', 'x'))
      .map((a) => a.join('')),
  );

  it('a literal value matches exactly itself, in the where clause or on the rows', () => {
    fc.assert(
      fc.property(hostile, (value) => {
        const query = tstats(b.stringMatch('CommandLine', lit(value)));
        expect(query).not.toMatch(/[`\r\u0000\u2028\u2029]/);
        const lines = query.split('\n');
        if (lines.length === 2) {
          const m = / where Processes\.process="((?:[^"\\]|\\.)*)" by /.exec(lines[0]!);
          expect(m, query).not.toBeNull();
          expect(unquote(m![1]!)).toBe(value);
          return;
        }
        const m = /^\| where match\(nullif\('Processes\.process', "null"\), "((?:[^"\\]|\\.)*)"\)$/.exec(lines[1]!);
        expect(m, query).not.toBeNull();
        const re = toJsRegex(unquote(m![1]!));
        expect(re.test(value)).toBe(true);
        expect(re.test(`${value}x`)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
