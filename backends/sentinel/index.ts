/** Microsoft Sentinel scheduled analytic rules: a Kusto query, an Azure-Sentinel YAML template and an ARM template. */
import { join } from 'node:path';
import { renderSentinelCorrelation } from './correlation.js';
import type {
  ArtifactFile,
  Backend,
  BundleFile,
  CompiledRule,
  FragmentList,
  MappedRule,
  QueryResult,
  ReportAt,
  Reporter,
} from '../../src/backend/types.js';
import type { Templates } from '../../src/emit/templates.js';
import { loadTemplates } from '../../src/emit/templates.js';
import { armResource, buildArtifacts } from './artifacts.js';
import { SENTINEL_CODES } from './codes.js';
import { KustoGenerator } from './dialect.js';
import { extendPrelude } from './prelude.js';
import { identifier } from './kusto-literals.js';
import { bundleParts, keyedFragment, sortFragments, spliceVerbatim } from '../../src/backend/bundle.js';
import { LastBuilt } from '../../src/backend/last-built.js';
import { ruleKey, ruleValue } from '../../src/backend/report-at.js';
import { meta } from './target.js';

const { SN009, SN010, SN012 } = SENTINEL_CODES;

/** Sentinel rejects longer queries (Azure-Sentinel template schema, docs/reference/targets/sentinel.md §1). */
export const MAX_QUERY_LENGTH = 10_000;

const root = meta.root;
const OVERRIDE_KEYS = new Set(['table']);

/** The table to query: the rule's own `targets.sentinel.table`, else the pipeline destination's. */
function tableOf(mapped: MappedRule, report: Reporter): string | undefined {
  const overrides = mapped.rule.deploy.targets['sentinel'] ?? {};
  for (const key of Object.keys(overrides))
    if (!OVERRIDE_KEYS.has(key))
      report.refuse(SN012.code, `unknown key 'targets.sentinel.${key}'`, ruleKey('targets', 'sentinel', key));
  const own = overrides['table'];
  if (own !== undefined && (typeof own !== 'string' || own.trim() === '')) {
    report.refuse(
      SN012.code,
      "'targets.sentinel.table' must be a table name",
      ruleValue('targets', 'sentinel', 'table'),
    );
    return undefined;
  }
  const table = own ?? mapped.destination['table'];
  return typeof table === 'string' && table !== '' ? table : undefined;
}

export function renderKustoQuery(mapped: MappedRule, report: Reporter): QueryResult {
  const table = tableOf(mapped, report);
  if (table === undefined) {
    report.refuse(
      SN010.code,
      'no Sentinel table for this logsource: the query would have nothing to search',
      ruleKey('logsource'),
    );
    return { query: '', language: 'kql' };
  }
  // Layout: the table, the computed columns the filter uses (if any), then one `| where` line; a detection
  // that is always true needs no filter. A query over Sentinel's limit is rendered again in the compact form
  // (value alternations as one regex per column, dialect.ts), with the diagnostics of that rendering only.
  const render = (compact: boolean, into: Reporter): string => {
    const where = new KustoGenerator(compact).generate(mapped.detection, mapped, into);
    const extend = where === 'true' ? undefined : extendPrelude(mapped);
    const head = extend === undefined ? identifier(table) : `${identifier(table)}\n| extend ${extend}`;
    return where === 'true' ? head : `${head}\n| where ${where}`;
  };
  const buffered = bufferReporter();
  let query = render(false, buffered);
  if (query.length > MAX_QUERY_LENGTH) {
    const compactReport = bufferReporter();
    const compact = render(true, compactReport);
    if (compact.length < query.length) {
      query = compact;
      compactReport.replay(report);
    } else buffered.replay(report);
  } else buffered.replay(report);
  if (query.length > MAX_QUERY_LENGTH)
    report.refuse(
      SN009.code,
      `the query has ${query.length} characters; Sentinel accepts ${MAX_QUERY_LENGTH}`,
      ruleKey('detection'),
    );
  return { query, language: 'kql', extra: { table } };
}

/** A reporter that keeps diagnostics until `replay`, so only the rendering finally used reports. */
function bufferReporter(): Reporter & { replay(to: Reporter): void } {
  const calls: [keyof Reporter, string, string, ReportAt | undefined][] = [];
  return {
    warn: (code, message, node) => void calls.push(['warn', code, message, node]),
    refuse: (code, message, node) => void calls.push(['refuse', code, message, node]),
    info: (code, message, node) => void calls.push(['info', code, message, node]),
    replay: (to) => {
      for (const [kind, code, message, node] of calls) to[kind](code, message, node);
    },
  };
}

let templates: Templates | undefined;

/** The rule's artifact objects, built once for its files and its bundle fragment (which reports nothing). */
const artifacts = new LastBuilt(buildArtifacts);

function renderArtifacts(compiled: CompiledRule, report: Reporter): readonly ArtifactFile[] {
  const built = artifacts.reported(compiled, report);
  if (!built) return [];
  templates ??= loadTemplates(join(root, 'templates'));
  return [
    { path: `${built.stem}.yaml`, content: templates.render('analytic-rule', built.analyticRule) },
    { path: `${built.stem}.arm.json`, content: templates.render('arm', built.arm) },
  ];
}

/**
 * `rules.arm.json`: one ARM template deploying every rule, for a single `az deployment group create`. Resources are
 * sorted by rule GUID so the file is stable; each rule's attribution sits under `metadata.rules.<guid>`.
 *
 * A fragment holds the rule's entry of `metadata.rules` and its resource as the file prints them (indented to
 * their depth, as the template's `json … indent=2` of the whole objects would), so joining is concatenation.
 */
const ARM_METADATA = '"@rulec-arm-metadata@"';
const ARM_RESOURCES = '"@rulec-arm-resources@"';

/** `value` as the template's json helper prints it when it sits `depth` levels deep in the file (2 spaces each). */
function jsonAt(value: unknown, depth: number): string {
  const text = JSON.stringify(value, null, 2).replace(/\n/g, `\n${'  '.repeat(depth)}`);
  return /[\u2028\u2029]/.test(text) ? text.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029') : text;
}

function bundleFragment(compiled: CompiledRule): string {
  const built = artifacts.silent(compiled);
  if (!built) return '';
  const entry = { ...built.arm.metadata, displayName: built.arm.properties['displayName'] };
  // metadata (depth 1) › rules (2) › this rule (3); resources (1) › this resource (2).
  return keyedFragment(
    built.arm.name,
    `      ${jsonAt(built.arm.name, 0)}: ${jsonAt(entry, 3)}`,
    `    ${jsonAt(armResource(built.arm), 2)}`,
  );
}

function bundleFiles(fragments: FragmentList): readonly BundleFile[] {
  const built = sortFragments(fragments, (f) => f === '');
  if (built.keys.length === 0) return [];
  templates ??= loadTemplates(join(root, 'templates'));
  // The template gives the file's frame; the two placeholders it prints are replaced by the joined texts.
  const frame = templates.render('rules.arm', {
    metadata: JSON.parse(ARM_METADATA) as string,
    resources: JSON.parse(ARM_RESOURCES) as string,
  });
  const write = (out: (text: string) => void): void => {
    // One metadata entry per name, where the name first sorts, holding the last rule's entry (an object's keys):
    // names sort together, so the last of each run of one name.
    const metadata = (): void => {
      out('{\n    "generatedBy": "rulec",\n    "rules": {\n');
      let first = true;
      for (let i = 0; i < built.keys.length; i++) {
        if (built.keys[i + 1] === built.keys[i]) continue;
        out(`${first ? '' : ',\n'}${built.parts(i)[1]!}`);
        first = false;
      }
      out('\n    }\n  }');
    };
    const resources = (): void => {
      out('[\n');
      for (let i = 0; i < built.keys.length; i++) out(`${i > 0 ? ',\n' : ''}${built.parts(i)[2]!}`);
      out('\n  ]');
    };
    // As `frame.replace(ARM_METADATA, …).replace(ARM_RESOURCES, …)`: the first of each placeholder in the frame.
    const at = frame.indexOf(ARM_METADATA);
    const resourcesAt = frame.indexOf(ARM_RESOURCES, at + ARM_METADATA.length);
    out(frame.slice(0, at));
    metadata();
    out(frame.slice(at + ARM_METADATA.length, resourcesAt));
    resources();
    out(frame.slice(resourcesAt + ARM_RESOURCES.length));
  };
  return [{ path: 'rules.arm.json', write }];
}

export const backend: Backend = {
  ...meta,
  lineComment: '//',
  // A YAML stream of the Azure-Sentinel rule files (`---` between documents); the ARM templates come from `build`.
  streamArtifacts(perRule: readonly (readonly ArtifactFile[])[]): string {
    return perRule
      .flatMap((files) => files.filter((f) => f.path.endsWith('.yaml')))
      .map((f) => `---\n${f.content}`)
      .join('');
  },
  renderQuery: renderKustoQuery,
  renderCorrelation: renderSentinelCorrelation,
  renderArtifacts,
  ...bundleParts({ fragment: bundleFragment, files: bundleFiles }),
  // Both pieces (metadata entry, resource) are printed verbatim, given one rule per ARM name: a build splices only
  // when the fragments' keys are distinct (build/incremental.ts).
  spliceBundle: spliceVerbatim('rules.arm.json'),
};
