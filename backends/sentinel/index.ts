/** Microsoft Sentinel scheduled analytic rules: a Kusto query, an Azure-Sentinel YAML template and an ARM template. */
import { join } from 'node:path';
import { renderSentinelCorrelation } from './correlation.js';
import { backendRoot } from '../../src/backend/root.js';
import type {
  ArtifactFile,
  Backend,
  CompiledRule,
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
import { ruleKey, ruleValue } from '../../src/backend/report-at.js';
import { SENTINEL_LIST_REFERENCES } from './watchlist.js';

const { SN009, SN010, SN012 } = SENTINEL_CODES;

/** Sentinel rejects longer queries (Azure-Sentinel template schema, docs/reference/targets/sentinel.md §1). */
export const MAX_QUERY_LENGTH = 10_000;

const root = backendRoot('sentinel');
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

function renderArtifacts(compiled: CompiledRule, report: Reporter): readonly ArtifactFile[] {
  const built = buildArtifacts(compiled, report);
  if (!built) return [];
  templates ??= loadTemplates(join(root, 'templates'));
  return [
    { path: `${built.stem}.yaml`, content: templates.render('analytic-rule', built.analyticRule) },
    { path: `${built.stem}.arm.json`, content: templates.render('arm', built.arm) },
  ];
}

/** Per-rule rendering already reported every diagnostic; the bundle renders the same data again silently. */
const silent: Reporter = { warn() {}, refuse() {}, info() {} };

/**
 * `rules.arm.json`: one ARM template deploying every rule, for a single `az deployment group create`. Resources are
 * sorted by rule GUID so the file is stable; each rule's attribution sits under `metadata.rules.<guid>`.
 */
function renderBundle(compiled: readonly CompiledRule[]): readonly ArtifactFile[] {
  const built = compiled.flatMap((c) => buildArtifacts(c, silent) ?? []);
  if (built.length === 0) return [];
  built.sort((a, b) => (a.arm.name < b.arm.name ? -1 : a.arm.name > b.arm.name ? 1 : 0));
  templates ??= loadTemplates(join(root, 'templates'));
  const metadata = {
    generatedBy: 'rulec',
    rules: Object.fromEntries(
      built.map((b) => [b.arm.name, { ...b.arm.metadata, displayName: b.arm.properties['displayName'] }]),
    ),
  };
  const resources = built.map((b) => armResource(b.arm));
  return [{ path: 'rules.arm.json', content: templates.render('rules.arm', { metadata, resources }) }];
}

export const backend: Backend = {
  id: 'sentinel',
  // Sentinel's tables (OfficeActivity, SecurityEvent, …) hold events under the columns this pipeline maps rules
  // onto: `rulec match --format sentinel` reuses it.
  eventFormat: 'sentinel',
  title: 'Microsoft Sentinel (scheduled analytic rule, Kusto)',
  // `kql` is also Kibana's query language (the elastic target declares it too), so it is refused as ambiguous.
  aliases: ['kusto', 'azure-sentinel', 'microsoft-sentinel', 'kql'],
  lineComment: '//',
  // A YAML stream of the Azure-Sentinel rule files (`---` between documents); the ARM templates come from `build`.
  streamArtifacts(perRule: readonly (readonly ArtifactFile[])[]): string {
    return perRule
      .flatMap((files) => files.filter((f) => f.path.endsWith('.yaml')))
      .map((f) => `---\n${f.content}`)
      .join('');
  },
  root,
  placeholderReferences: SENTINEL_LIST_REFERENCES,
  renderQuery: renderKustoQuery,
  renderCorrelation: renderSentinelCorrelation,
  renderArtifacts,
  renderBundle,
};
