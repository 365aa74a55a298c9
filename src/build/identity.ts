/**
 * What must be unique across the rules of one output: ids (they name files, Kibana rule_ids, ARM resources),
 * titles (they name Splunk stanzas, Sentinel display names, Elastic rule names) and generated file names (compared
 * without letter case, as macOS and Windows file systems do).
 */
import { basename } from 'node:path';
import type { Diagnostic, Span } from '../diagnostics/diagnostic.js';
import '../diagnostics/build-codes.js';
import type { Rule } from '../model/rule.js';
import { parseSource } from '../source/load.js';

/** What locates a rule: enough to name it and find its keys. */
export type RulePlace = Pick<Rule, 'file' | 'documentIndex' | 'id'>;

/** Span of a top-level key of one document of `file`, for a located diagnostic; undefined without the text. */
function keySpan(rule: RulePlace, key: string, sourceOf: (file: string) => string | undefined): Span | undefined {
  const text = sourceOf(rule.file);
  if (text === undefined) return undefined;
  const document = parseSource(rule.file, text).documents.find((d) => d.index === rule.documentIndex);
  return document?.locator.span([key], 'value');
}

const byPlace = (a: RulePlace, b: RulePlace): number =>
  a.file < b.file ? -1 : a.file > b.file ? 1 : a.documentIndex - b.documentIndex;

function where(rule: RulePlace): string {
  return rule.documentIndex > 0 ? `${rule.file} (document ${rule.documentIndex + 1})` : rule.file;
}

/** Each rule whose id an earlier rule (by file, then document) already has, with that earlier rule. */
export function findDuplicateIds<R extends RulePlace>(rules: readonly R[]): { rule: R; first: R }[] {
  const first = new Map<string, R>();
  const found: { rule: R; first: R }[] = [];
  for (const rule of [...rules].sort(byPlace)) {
    if (rule.id === undefined) continue;
    // Without case: a GUID is the same GUID in either case, and file names differing only in case are one file on
    // macOS and Windows.
    const key = rule.id.toLowerCase();
    const other = first.get(key);
    if (other === undefined) first.set(key, rule);
    else found.push({ rule, first: other });
  }
  return found;
}

/** One RC906 error per rule whose id another rule already has, on the later rule's `id`, naming the first's file. */
export function duplicateIdDiagnostics(
  rules: readonly RulePlace[],
  sourceOf: (file: string) => string | undefined,
): Diagnostic[] {
  return findDuplicateIds(rules).map(({ rule, first: other }) => {
    const span = keySpan(rule, 'id', sourceOf);
    return {
      code: 'RC906',
      severity: 'error',
      message:
        other.id === rule.id
          ? `id '${rule.id}' is also the id of the rule in ${where(other)}`
          : `id '${rule.id}' differs only in letter case from '${other.id}', the id of the rule in ${where(other)}`,
      file: rule.file,
      ...(span ? { span } : {}),
      label: 'give each rule its own id',
      notes: [`first rule with this id: ${where(other)}`],
    };
  });
}

/**
 * Names built from titles are compared the way targets clean them (Splunk replaces brackets and control
 * characters), so two titles that would become one stanza name count as the same.
 */
function titleKey(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export interface UniqueTitles {
  /** Rules whose title was lengthened, by their original object. */
  readonly renamed: Map<Rule, Rule>;
  readonly diagnostics: Diagnostic[];
}

/**
 * Gives every rule a distinct title: the first rule (kept rules first, then by file) keeps its title, every later
 * one gets its id (or file name) appended, with an RC907 warning on its `title` naming the other file. `fixed`
 * rules (already deployed and not rebuilt now) are never renamed.
 */
export function uniqueTitles(
  rules: readonly Rule[],
  fixed: ReadonlySet<Rule>,
  sourceOf: (file: string) => string | undefined,
): UniqueTitles {
  const taken = new Map<string, Rule>();
  const renamed = new Map<Rule, Rule>();
  const diagnostics: Diagnostic[] = [];
  const ordered = [...rules].sort((a, b) => Number(fixed.has(b)) - Number(fixed.has(a)) || byPlace(a, b));
  for (const rule of ordered) {
    const other = taken.get(titleKey(rule.title));
    if (other === undefined || fixed.has(rule)) {
      taken.set(titleKey(rule.title), rule);
      continue;
    }
    let title = `${rule.title} (${rule.id ?? basename(rule.file)})`;
    for (let n = 2; taken.has(titleKey(title)); n++) title = `${rule.title} (${rule.id ?? basename(rule.file)} ${n})`;
    taken.set(titleKey(title), rule);
    renamed.set(rule, { ...rule, title });
    const span = keySpan(rule, 'title', sourceOf);
    diagnostics.push({
      code: 'RC907',
      severity: 'warning',
      message: `title '${rule.title}' is also the title of the rule in ${where(other)}: deployed as '${title}'`,
      file: rule.file,
      ...(span ? { span } : {}),
      label: 'give each rule its own title',
    });
  }
  return { renamed, diagnostics };
}

/** RC916: files of a target's folder from before its record, kept because they may be any rule's. */
export function predatingFiles(target: string, adopted: readonly string[]): Diagnostic[] {
  if (adopted.length === 0) return [];
  return [
    {
      code: 'RC916',
      severity: 'warning',
      message: `${adopted.length} file(s) in ${target}/ predate the folder's record and were kept (e.g. ${adopted[0]}): delete them if no rule makes them any more`,
      target,
    },
  ];
}

/**
 * RC908 for generated paths of one output that differ only in letter case. `owners` names the rule file behind
 * each path (bundles have none).
 */
export function caseCollisions(
  paths: Iterable<string>,
  owners: Pick<ReadonlyMap<string, string>, 'get'>,
  target?: string,
): Diagnostic[] {
  const seen = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  for (const path of [...paths].sort()) {
    const key = path.toLowerCase();
    const other = seen.get(key);
    if (other === undefined) {
      seen.set(key, path);
      continue;
    }
    const owner = owners.get(path);
    const otherOwner = owners.get(other) ?? `rulec's own ${other}`;
    diagnostics.push({
      code: 'RC908',
      severity: 'error',
      message: `${path} and ${other} differ only in letter case: one file on macOS and Windows (${owner ?? 'a combined file'} and ${otherOwner})`,
      ...(owner ? { file: owner } : {}),
      ...(target ? { target } : {}),
    });
  }
  return diagnostics;
}
