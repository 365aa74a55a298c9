/**
 * The data of one savedsearches.conf stanza (doc §4, contentctl conventions followed, not copied): every value a
 * plain string, rendered by templates/_stanza.hbs through the `conf` helper.
 */
import { rulecTags } from '../../src/correlation/tune.js';
import type { CompiledRule, Reporter } from '../../src/backend/types.js';
import { ruleAttack } from '../../src/attack/index.js';
import type { Level, Rule } from '../../src/model/rule.js';
import { SPLUNK_CODES as C } from './codes.js';
import { intervalToCron, lookbackToEarliest } from './schedule.js';
import { ruleKey, ruleValue } from '../../src/backend/report-at.js';

/** Enterprise Security's limit on a correlation search name (contentctl `ES_MAX_STANZA_LENGTH`, doc §4). */
export const MAX_STANZA_LENGTH = 99;
const APP_LABEL = 'rulec';

/** savedsearches.conf `alert.severity`: 1 debug, 2 info, 3 warn, 4 error, 5 severe, 6 fatal. */
const ALERT_SEVERITY: Readonly<Record<Level, string>> = {
  informational: '2',
  low: '3',
  medium: '4',
  high: '5',
  critical: '6',
};

export interface StanzaView {
  readonly name: string;
  readonly description: string;
  readonly search: string;
  readonly cron: string;
  readonly earliest: string;
  readonly disabled: string;
  readonly maxCount: string;
  readonly severity: string;
  readonly level: string;
  readonly title: string;
  readonly annotations: string;
  readonly metadata: string;
  readonly risk?: { readonly objects: string; readonly message: string };
}

/** Control characters other than tab and newline, which a .conf value cannot hold. */
const CONF_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f\u0085\u2028\u2029]/g;

/**
 * Free text made safe for a .conf value: a line ending in `\` would continue onto the next line (doc §4 "Value
 * escaping"; the `conf` helper refuses it), so trailing backslashes are dropped; control characters become spaces.
 */
export function confText(text: string, what: string, report: Reporter): string {
  const normalised = text.replace(/\r\n?/g, '\n').trim();
  let changed = false;
  const lines = normalised.split('\n').map((line) => {
    const cleaned = line.replace(CONF_CONTROL, ' ').replace(/\\+\s*$/, '');
    if (cleaned !== line) changed = true;
    return cleaned;
  });
  // `what` is the rule key the text comes from (title, description).
  if (changed) report.warn(C.SP404.code, `the ${what} was adjusted for savedsearches.conf`, ruleValue(what));
  return lines.join('\n').trim();
}

/**
 * The stem of the rule's own `.conf` file: its slug, unless that is the combined file's name (a rule file named
 * `savedsearches.yml` must not replace the app's savedsearches.conf; compared without case, as macOS and Windows do).
 */
export function ruleFileStem(rule: Rule): string {
  const slug = ruleSlug(rule);
  return slug.toLowerCase() === 'savedsearches' ? `rule-${slug}` : slug;
}

/** A short, path-safe stand-in for a rule without a usable id: its file name as a slug. */
export function ruleSlug(rule: Rule): string {
  if (rule.id !== undefined && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(rule.id)) return rule.id;
  const base = rule.file.split(/[\\/]/).pop() ?? 'rule';
  const slug = base
    .replace(/\.[^.]*$/, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${slug || 'rule'}${rule.documentIndex > 0 ? `-${rule.documentIndex}` : ''}`;
}

/**
 * `[rulec - <title> - Rule]` (contentctl's `<app> - <name> - Rule`). Brackets would end the stanza header early and
 * control characters split it, so they are replaced; a title too long for 99 characters is cut and tagged with the
 * start of the rule id, which keeps shortened names distinct.
 */
export function stanzaName(rule: Rule, report: Reporter): string {
  const cleaned = rule.title
    .replace(/\[/g, '(')
    .replace(/\]/g, ')')
    .replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]/g, ' ');
  if (cleaned !== rule.title)
    report.warn(C.SP403.code, 'brackets or control characters in the title were replaced', ruleValue('title'));
  const frame = (title: string): string => `${APP_LABEL} - ${title} - Rule`;
  const chars = [...cleaned.trim()];
  const full = frame(chars.join(''));
  if ([...full].length <= MAX_STANZA_LENGTH) return full;
  const tag = ` (${ruleSlug(rule).slice(0, 8)})`;
  const room = MAX_STANZA_LENGTH - [...frame('')].length - tag.length;
  const short = chars.slice(0, room).join('').trimEnd() + tag;
  report.warn(C.SP402.code, `the title was shortened to '${short}' for the saved search name`, ruleValue('title'));
  return frame(short);
}

interface SplunkSettings {
  readonly enabled: boolean;
}

/** Keys of `targets.splunk` the pipeline reads (fallback.yml `ruleOverrides`): they replace the destination's. */
const PIPELINE_KEYS = new Set(['index', 'sourcetype']);

/** The rule's `targets.splunk` entry: `enabled` (boolean) here, `index` and `sourcetype` in the pipeline. */
function settings(rule: Rule, report: Reporter): SplunkSettings {
  const raw = rule.deploy.targets['splunk'] ?? {};
  let enabled = false;
  for (const [key, value] of Object.entries(raw)) {
    if (PIPELINE_KEYS.has(key)) continue;
    if (key === 'enabled' && typeof value === 'boolean') enabled = value;
    else
      report.warn(
        C.SP405.code,
        `targets.splunk.${key} is not a known boolean setting and was ignored`,
        ruleKey('targets', 'splunk', key),
      );
  }
  return { enabled };
}

function riskObject(destination: Readonly<Record<string, unknown>>): { field: string; type: string } | undefined {
  const value = destination['risk_object'];
  if (value === undefined) return undefined;
  const { field, type } = (value ?? {}) as Record<string, unknown>;
  if (typeof field !== 'string' || typeof type !== 'string')
    throw new Error('splunk pipeline: destination risk_object needs string field and type');
  return { field, type };
}

/**
 * JSON for a .conf value: one line whatever the input (JSON escapes newlines; U+2028/U+2029 and NEL, which some
 * readers take as line breaks, are escaped too).
 */
function confJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u0085\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export function stanzaView(compiled: CompiledRule, report: Reporter): StanzaView {
  const { rule, destination } = compiled.mapped;
  const cron = intervalToCron(rule.deploy.interval);
  if (cron.approximation !== undefined) report.warn(C.SP401.code, cron.approximation, ruleKey('schedule'));
  const earliest = lookbackToEarliest(rule.deploy.lookback);
  if (earliest === undefined) throw new Error(`lookback '${rule.deploy.lookback}' is not a duration`);
  const attack = ruleAttack(rule.tags);
  const title = confText(rule.title, 'title', report);
  const risk = riskObject(destination);
  const { enabled } = settings(rule, report);
  return {
    name: stanzaName(rule, report),
    description: confText(rule.description ?? rule.title, 'description', report),
    search: compiled.query.query,
    cron: cron.cron,
    earliest,
    // Shipped disabled unless the rule asks otherwise, like ESCU content (`disabled` from enabled_by_default).
    disabled: enabled ? '0' : '1',
    // Kibana's "maximum alerts per execution": the search keeps at most this many results per run.
    maxCount: String(rule.deploy.maxAlerts),
    severity: ALERT_SEVERITY[rule.level ?? 'low'],
    level: rule.level ?? 'low',
    title,
    // `rulec` lists the filters that tuned the rule (`rulec.filter.<name>`): annotations show in Incident Review.
    annotations: confJson({
      mitre_attack: attack.techniques.map((t) => t.id),
      ...(rulecTags(rule.tags).length > 0 ? { rulec: rulecTags(rule.tags) } : {}),
    }),
    // Attribution travels with the search (the Detection Rule License asks to keep each rule's author).
    metadata: confJson({
      detection_id: rule.id ?? ruleSlug(rule),
      detection_version: String(rule.deploy.version),
      ...(rule.author !== undefined ? { author: rule.author } : {}),
      ...(rule.license !== undefined ? { license: rule.license } : {}),
      ...(rule.references.length > 0 ? { references: rule.references } : {}),
    }),
    ...(risk
      ? {
          risk: {
            objects: confJson([
              { risk_object_field: risk.field, risk_object_type: risk.type, risk_score: rule.deploy.riskScore },
            ]),
            message: title,
          },
        }
      : {}),
  };
}
