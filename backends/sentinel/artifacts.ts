/**
 * The data behind the two Sentinel artifacts: the analytic-rule YAML (Azure-Sentinel repository format,
 * docs/reference/targets/sentinel.md §1) and an ARM template deploying a `Microsoft.SecurityInsights/alertRules`
 * resource of kind Scheduled (§2). Templates in ./templates only lay the data out.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { CompiledRule, Reporter } from '../../src/backend/types.js';
import type { Level, Rule } from '../../src/model/rule.js';
import { sentinelAttack } from './attack.js';
import { SENTINEL_CODES } from './codes.js';
import { entityMappingsFor } from './entities.js';
import { fitSchedule, isoDuration, parseDuration, yamlDuration } from './schedule.js';
import { ruleKey, ruleValue } from '../../src/backend/report-at.js';
import { rulecTags } from '../../src/correlation/tune.js';

const { SN005, SN006, SN007, SN011 } = SENTINEL_CODES;

/** Sentinel severities (§1); there is no Critical. */
const SEVERITY: Readonly<Record<Level, string>> = {
  informational: 'Informational',
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  critical: 'High',
};

const MAX_DESCRIPTION = 5000;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Namespace for name-based (v5) rule GUIDs, so a rule without a UUID keeps a stable Sentinel id. */
const RULEC_NAMESPACE = '6f0d7c2e-3b1a-5c4d-8e9f-0a1b2c3d4e5f';

/** RFC 4122 version-5 UUID of `name` in rulec's namespace. */
function nameBasedGuid(name: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(RULEC_NAMESPACE.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The rule's GUID: its id when it is one, else a stable name-based GUID of its id or file. */
export function ruleGuid(rule: Rule): string {
  if (rule.id !== undefined && GUID.test(rule.id)) return rule.id.toLowerCase();
  return nameBasedGuid(rule.id ?? `${rule.file}#${rule.documentIndex}`);
}

/** Base name of the rule's files: its id, or a slug of its file name when it has none (or an unsafe one). */
export function fileStem(rule: Rule): string {
  if (rule.id !== undefined && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(rule.id)) return rule.id;
  const slug = basename(rule.file)
    .replace(/\.ya?ml$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const stem = slug === '' ? 'rule' : slug;
  return rule.documentIndex > 0 ? `${stem}-${rule.documentIndex}` : stem;
}

/** ARM evaluates a string that starts with `[` and ends with `]` as an expression; `[[` makes it literal. */
export function armLiteral(text: string): string {
  return text.startsWith('[') && text.endsWith(']') ? `[${text}` : text;
}

/**
 * Applies `armLiteral` to every string in a JSON value. Objects are rebuilt key by key, not through entries and
 * fromEntries: no pair array per key, and objects of one shape share their layout, which JSON.stringify reads
 * faster (this and `compact` were 2.9 % of the corpus's compile and artifact time).
 */
function armLiterals<T>(value: T): T {
  if (typeof value === 'string') return armLiteral(value) as T;
  if (Array.isArray(value)) return value.map(armLiterals) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) setOwn(out, key, armLiterals((value as Record<string, unknown>)[key]));
    return out as T;
  }
  return value;
}

/** `out[key] = value`, a `__proto__` key as an own property (as fromEntries makes it), never the prototype. */
function setOwn(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

/** The record without undefined entries (and, with `dropEmpty`, without empty lists), key order kept. */
function compact(record: Record<string, unknown>, dropEmpty = false): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (value !== undefined && !(dropEmpty && Array.isArray(value) && value.length === 0)) setOwn(out, key, value);
  }
  return out;
}

export interface SentinelArtifacts {
  readonly stem: string;
  readonly analyticRule: Record<string, unknown>;
  readonly arm: {
    readonly metadata: Record<string, unknown>;
    readonly name: string;
    readonly properties: Record<string, unknown>;
  };
}

/** The `alertRules` resource of one rule, as the per-rule and the combined ARM templates deploy it. */
export function armResource(arm: SentinelArtifacts['arm']): Record<string, unknown> {
  return {
    type: 'Microsoft.SecurityInsights/alertRules',
    apiVersion: ARM_API_VERSION,
    name: arm.name,
    scope: "[format('Microsoft.OperationalInsights/workspaces/{0}', parameters('workspace'))]",
    kind: 'Scheduled',
    properties: arm.properties,
  };
}

/** API version of the `alertRules` resources (GA; docs/reference/targets/sentinel.md §2). */
export const ARM_API_VERSION = '2023-02-01';

export function buildArtifacts(compiled: CompiledRule, report: Reporter): SentinelArtifacts | undefined {
  const { rule, destination } = compiled.mapped;
  const interval = parseDuration(rule.deploy.interval);
  const lookback = parseDuration(rule.deploy.lookback);
  if (interval === undefined || lookback === undefined) {
    report.refuse(
      SN006.code,
      `schedule '${rule.deploy.interval}' / '${rule.deploy.lookback}' is not <n><s|m|h|d>`,
      ruleKey('schedule'),
    );
    return undefined;
  }
  const schedule = fitSchedule(interval, lookback);
  if (schedule.adjustments.length > 0)
    report.warn(
      SN005.code,
      `schedule ${rule.deploy.interval}/${rule.deploy.lookback} adjusted for Sentinel (${schedule.adjustments.join('; ')}): ` +
        `${yamlDuration(schedule.frequencyMinutes)}/${yamlDuration(schedule.periodMinutes)}`,
      ruleKey('schedule'),
    );
  if (rule.level === 'critical')
    report.warn(SN007.code, 'level critical is deployed with Sentinel severity High', ruleValue('level'));
  const severity = SEVERITY[rule.level ?? 'medium'];

  let description = rule.description ?? rule.title;
  if (description.length > MAX_DESCRIPTION) {
    report.warn(
      SN011.code,
      `description cut from ${description.length} to ${MAX_DESCRIPTION} characters`,
      ruleKey('description'),
    );
    description = description.slice(0, MAX_DESCRIPTION);
  }
  const attack = sentinelAttack(rule.tags, report);
  const guid = ruleGuid(rule);
  const version = `${rule.deploy.version}.0.0`;
  const connectors = Array.isArray(destination['requiredDataConnectors']) ? destination['requiredDataConnectors'] : [];
  // The pipeline destination may pin its own mappings; otherwise they come from the table the query reads
  // (entities.yml). The pipeline's column types describe the destination's table only, not an overriding one.
  const table = typeof compiled.query.extra?.['table'] === 'string' ? compiled.query.extra['table'] : undefined;
  // A correlation's result rows hold its group-by columns only: its query gives the entities they identify
  // (correlation.ts), never the referenced rules' table mappings.
  const correlationEntities = compiled.query.extra?.['entityMappings'];
  const entityMappings = compiled.correlation
    ? Array.isArray(correlationEntities) && correlationEntities.length > 0
      ? correlationEntities
      : undefined
    : Array.isArray(destination['entityMappings'])
      ? destination['entityMappings']
      : table === undefined
        ? undefined
        : entityMappingsFor(table, table === destination['table'] ? compiled.mapped.fieldTypes : {});

  // Attribution (author, licence, sources) and the Markdown guides have no Sentinel field; the YAML's free-form
  // `metadata` and the ARM template's `metadata` keep them with the rule (Azure-Sentinel ignores unknown keys).
  const attribution = compact(
    {
      author: rule.author !== undefined ? { name: rule.author } : undefined,
      license: rule.license,
      references: [...rule.references],
      falsePositives: [...rule.falsepositives],
      investigationGuide: rule.deploy.investigationGuide,
      setup: rule.deploy.setup,
      // The filters that tuned the rule (`rulec.filter.<name>`), so a reviewer of the deployed rule sees them.
      tags: rulecTags(rule.tags),
      generatedBy: 'rulec',
    },
    true,
  );

  const analyticRule = compact({
    id: guid,
    name: rule.title,
    description,
    severity,
    requiredDataConnectors: connectors,
    queryFrequency: yamlDuration(schedule.frequencyMinutes),
    queryPeriod: yamlDuration(schedule.periodMinutes),
    triggerOperator: 'gt',
    triggerThreshold: 0,
    tactics: [...attack.tactics],
    relevantTechniques: [...attack.techniques],
    query: compiled.query.query,
    entityMappings,
    version,
    kind: 'Scheduled',
    metadata: attribution,
  });

  const properties = compact({
    displayName: rule.title,
    description,
    severity,
    enabled: rule.deploy.enabled,
    query: compiled.query.query,
    queryFrequency: isoDuration(schedule.frequencyMinutes),
    queryPeriod: isoDuration(schedule.periodMinutes),
    triggerOperator: 'GreaterThan',
    triggerThreshold: 0,
    suppressionDuration: 'PT5H',
    suppressionEnabled: false,
    tactics: [...attack.tactics],
    // API 2023-02-01 takes parent technique ids only; sub-techniques stay in the YAML's relevantTechniques.
    techniques: [...attack.parentTechniques],
    entityMappings,
    templateVersion: version,
  });

  return {
    stem: fileStem(rule),
    analyticRule,
    arm: { metadata: armLiterals(attribution), name: guid, properties: armLiterals(properties) },
  };
}
