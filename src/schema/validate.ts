/**
 * Schema validation of one rule document: ajv (draft 2020-12, compiled once) over the plain data, then each ajv
 * error turned into a Diagnostic that points at the YAML node a person has to change.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../backend/root.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { compareText } from '../diagnostics/diagnostic.js';
import '../diagnostics/frontend-codes.js';
import type { DocPath, Locator } from '../source/locator.js';
import { newAjv, schemaKey } from './ajv.js';
import { KNOWN_TOP_LEVEL_KEYS, RULE_SCHEMA } from './rule-schema.js';
import { closest } from './suggest.js';

const require = createRequire(import.meta.url);
const compiled = new Map<Readonly<Record<string, unknown>>, ValidateFunction>();

/**
 * The validator of a schema, made once and reused for every document: the one compiled when the package was built
 * (lib/prebuilt/validators/<content hash>.cjs) when there is one for this very schema, else compiled now.
 */
function validator(schema: Readonly<Record<string, unknown>>): ValidateFunction {
  const known = compiled.get(schema);
  if (known) return known;
  const prebuilt = join(packageRoot(), 'lib', 'prebuilt', 'validators', `${schemaKey(schema)}.cjs`);
  const validate = existsSync(prebuilt) ? (require(prebuilt) as ValidateFunction) : newAjv().compile(schema);
  compiled.set(schema, validate);
  return validate;
}

/** Validates one rule document's data; every problem found is returned, located through `locator`. */
export function validateRule(data: unknown, locator: Locator): Diagnostic[] {
  const diagnostics = validateDocument(RULE_SCHEMA, data, locator);
  diagnostics.push(...typoWarnings(data, locator));
  return sortByOffset(diagnostics);
}

/**
 * Validates any YAML document (project configuration, user pipeline) against a published JSON Schema, with the
 * same located messages as rules: unknown keys with "did you mean", wrong types, bad values.
 */
export function validateDocument(
  schema: Readonly<Record<string, unknown>>,
  data: unknown,
  locator: Locator,
  /** What the document is, for messages about its top level ("unknown key 'x' in the configuration file"). */
  root = 'the rule',
): Diagnostic[] {
  const validate = validator(schema);
  return validate(data) ? [] : sortByOffset(localise(validate.errors ?? [], locator, root));
}

function sortByOffset(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.sort(
    (a, b) => (a.span?.start.offset ?? -1) - (b.span?.start.offset ?? -1) || compareText(a.code, b.code),
  );
}

interface Located {
  readonly path: readonly string[];
  readonly error: ErrorObject;
}

/** `/detection/sel~1x` → `['detection', 'sel/x']`: `~1` first, then `~0` (RFC 6901 order). */
export function splitPointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function localise(errors: readonly ErrorObject[], locator: Locator, root: string): Diagnostic[] {
  const located: Located[] = errors.map((error) => ({ path: splitPointer(error.instancePath), error }));
  const kept = collapseOneOf(located);
  // Combinators that failed because of something deeper add nothing once the deeper error is shown.
  const pruned = kept.filter(
    (e) =>
      !['oneOf', 'anyOf', 'not', 'if', 'contains'].includes(e.error.keyword) ||
      !kept.some((o) => o !== e && o.path.length > e.path.length && e.path.every((s, i) => o.path[i] === s)),
  );
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const item of pruned) {
    const d = toDiagnostic(item, locator, root);
    const key = `${d.code}|${d.span?.start.offset ?? -1}|${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}

/**
 * A failed `oneOf` comes with the errors of every branch. Keep the branch that got furthest (only errors below the
 * value itself: the value had the right shape, something inside is wrong); if no branch did, one summary error.
 */
function collapseOneOf(errors: readonly Located[]): Located[] {
  const oneOfs = errors.filter((e) => e.error.keyword === 'oneOf');
  if (oneOfs.length === 0) return [...errors];
  const drop = new Set<Located>();
  const add: Located[] = [];
  for (const one of oneOfs) {
    const prefix = `${one.error.schemaPath}/`;
    // The same schema location fails once per list item: keep the errors of this item only.
    const branchErrors = errors.filter(
      (e) => e.error.schemaPath.startsWith(prefix) && one.path.every((segment, i) => e.path[i] === segment),
    );
    if (branchErrors.length === 0) continue; // several branches matched: the oneOf error itself is the message
    const branches = new Map<string, Located[]>();
    for (const e of branchErrors) {
      const branch = e.error.schemaPath.slice(prefix.length).split('/')[0] ?? '';
      branches.set(branch, [...(branches.get(branch) ?? []), e]);
    }
    const shallow = (list: readonly Located[]): number => list.filter((e) => e.path.length <= one.path.length).length;
    const ranked = [...branches.values()].sort((a, b) => shallow(a) - shallow(b) || a.length - b.length);
    const best = ranked[0];
    for (const e of branchErrors) drop.add(e);
    if (best && shallow(best) === 0) {
      drop.add(one);
      add.push(...best);
    } else if (
      ranked.every((list) =>
        list.filter((e) => e.path.length <= one.path.length).every((e) => e.error.keyword === 'required'),
      )
    ) {
      // Each shape only lacks a key (`event` or `file`): say which keys would do.
      const missing = ranked.flatMap((list) =>
        list.filter((e) => e.error.keyword === 'required').map((e) => String(e.error.params['missingProperty'])),
      );
      drop.add(one);
      add.push({
        path: one.path,
        error: { ...one.error, keyword: 'required', params: { missingProperty: [...new Set(missing)] } },
      });
    } else if (branchErrors.every((e) => e.error.keyword === 'type' || e.path.length > one.path.length)) {
      // Every shape failed on type alone: one "expected a string or a list" error.
      const types = branchErrors
        .filter((e) => e.error.keyword === 'type')
        .flatMap((e) => [e.error.params['type'] as string | string[]].flat());
      drop.add(one);
      add.push({ path: one.path, error: { ...one.error, keyword: 'type', params: { type: [...new Set(types)] } } });
    }
  }
  return [...errors.filter((e) => !drop.has(e)), ...add];
}

function toDiagnostic({ path, error }: Located, locator: Locator, root: string): Diagnostic {
  const file = locator.file;
  const where = describePath(path, root);
  const base = { severity: 'error' as const, file };
  switch (error.keyword) {
    case 'required': {
      const missing = [error.params['missingProperty'] as string | string[]].flat();
      const names = joinOr(missing.map((m) => `'${m}'`));
      return {
        ...base,
        code: 'RC101',
        message: `missing required field ${names} in ${where}`,
        span: spanOrRoot(locator, path, path.length === 0 ? 'value' : 'key'),
        label: `add ${names} here`,
      };
    }
    case 'additionalProperties': {
      const key = String(error.params['additionalProperty']);
      const allowed = Object.keys(
        (error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {},
      );
      const suggestion = closest(key, allowed);
      return {
        ...base,
        code: 'RC105',
        message: `unknown key '${key}' in ${where}`,
        span: spanOrRoot(locator, [...path, key], 'key'),
        ...(suggestion ? { label: `did you mean '${suggestion}'?` } : {}),
        notes: [`allowed keys: ${allowed.join(', ')}`],
      };
    }
    case 'type': {
      const expected = [error.params['type'] as string | string[]].flat().map(typeName);
      return {
        ...base,
        code: 'RC102',
        message: `${where} must be ${joinOr(expected)}, not ${valueKind(error.data)}`,
        span: spanOrRoot(locator, path, 'value'),
      };
    }
    case 'enum':
    case 'const': {
      const allowed = (
        error.keyword === 'enum' ? (error.params['allowedValues'] as unknown[]) : [error.params['allowedValue']]
      ).map(String);
      const suggestion = typeof error.data === 'string' ? closest(error.data, allowed) : undefined;
      return {
        ...base,
        code: 'RC103',
        message: `${JSON.stringify(error.data)} is not a valid ${where}`,
        span: spanOrRoot(locator, path, 'value'),
        ...(suggestion ? { label: `did you mean '${suggestion}'?` } : {}),
        notes: [`expected one of: ${allowed.join(', ')}`],
      };
    }
    case 'pattern':
    case 'format':
      return { ...base, code: 'RC104', ...formatMessage(path, error, root), span: spanOrRoot(locator, path, 'value') };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'minLength':
    case 'maxLength':
    case 'minItems':
    case 'maxItems':
      return {
        ...base,
        code: 'RC106',
        message: `${where} ${limitText(error)}`,
        span: spanOrRoot(locator, path, 'value'),
      };
    case 'uniqueItems': {
      const i = Number(error.params['i']);
      const j = Number(error.params['j']);
      const later = Math.max(i, j);
      return {
        ...base,
        code: 'RC107',
        message: `${where} lists the same item twice (items ${Math.min(i, j) + 1} and ${later + 1})`,
        span: spanOrRoot(locator, [...path, String(later)], 'value'),
        label: 'duplicate',
      };
    }
    case 'oneOf':
    case 'anyOf':
      return {
        ...base,
        code: 'RC108',
        message: `${where} matches none of the allowed shapes`,
        span: spanOrRoot(locator, path, 'value'),
      };
    default:
      return {
        ...base,
        code: 'RC109',
        message: `${where} ${error.message ?? 'is invalid'}`,
        span: spanOrRoot(locator, path, 'value'),
      };
  }
}

function spanOrRoot(locator: Locator, path: DocPath, part: 'key' | 'value'): NonNullable<Diagnostic['span']> {
  return locator.span(path, part) ?? locator.spanAt(0, 0);
}

/** Messages for `pattern` and `format` that say what the value should look like, not the regex. */
function formatMessage(
  path: readonly string[],
  error: ErrorObject,
  root: string,
): { message: string; notes?: string[] } {
  const where = describePath(path, root);
  const value = JSON.stringify(error.data);
  const pattern = String(error.params['pattern'] ?? '');
  if (error.keyword === 'format' && error.params['format'] === 'uuid') {
    return {
      message: `${where} ${value} is not a UUID`,
      notes: ['write it as 8-4-4-4-12 hex digits, e.g. 675239ea-c1bc-4467-a6d3-b9e2cc7f676d'],
    };
  }
  if (pattern.includes('(0[1-9]|1[012])')) return { message: `${where} ${value} is not a date written YYYY-MM-DD` };
  if (pattern.includes('[smhd]'))
    return {
      message: `${where} ${value} is not a duration`,
      notes: ['write a whole number and a unit: s, m, h or d (e.g. 5m)'],
    };
  if (path[0] === 'tags') {
    return {
      message: `tag ${value} is not of the form namespace.name`,
      notes: ['tags are lower case: letters, digits, `_`, `-`, a dot after the namespace (e.g. attack.t1562.001)'],
    };
  }
  return { message: `${where} ${value} does not match the pattern ${pattern || String(error.params['format'])}` };
}

function limitText(error: ErrorObject): string {
  const limit = Number(error.params['limit']);
  switch (error.keyword) {
    case 'minimum':
      return `must be at least ${limit}, not ${String(error.data)}`;
    case 'maximum':
      return `must be at most ${limit}, not ${String(error.data)}`;
    case 'minLength':
      return limit === 1 ? 'must not be empty' : `must be at least ${limit} characters long`;
    case 'maxLength':
      return `must be at most ${limit} characters long, not ${String(error.data).length}`;
    case 'minItems':
      return limit === 1 ? 'must not be an empty list' : `must list at least ${limit} items`;
    case 'maxItems':
      return `must list at most ${limit} items`;
    default:
      return error.message ?? 'is out of range';
  }
}

/** `['schedule', 'interval']` → `'schedule.interval'`; list indexes as `[0]`; the root as `root`. */
export function describePath(path: readonly (string | number)[], root = 'the rule'): string {
  if (path.length === 0) return root;
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number' || /^\d+$/.test(segment)) out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return `'${out}'`;
}

function typeName(type: string): string {
  switch (type) {
    case 'object':
      return 'a map';
    case 'array':
      return 'a list';
    case 'integer':
      return 'a whole number';
    case 'null':
      return 'empty';
    default:
      return `a ${type}`;
  }
}

function valueKind(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'number') return Number.isInteger(value) ? `the number ${value}` : `the number ${value}`;
  if (typeof value === 'boolean') return `${value}`;
  return `the ${typeof value} ${JSON.stringify(value)}`;
}

function joinOr(items: readonly string[]): string {
  const unique = [...new Set(items)];
  if (unique.length <= 1) return unique[0] ?? 'something else';
  return `${unique.slice(0, -1).join(', ')} or ${unique[unique.length - 1]}`;
}

const KNOWN_KEYS = new Set(KNOWN_TOP_LEVEL_KEYS);
/** The known key an unknown one is a typo of, per key seen: a corpus repeats its custom keys on many rules. */
const typos = new Map<string, string | undefined>();
function typoOf(key: string): string | undefined {
  if (!typos.has(key)) typos.set(key, closest(key, KNOWN_TOP_LEVEL_KEYS));
  return typos.get(key);
}

/**
 * Sigma allows custom top-level keys, so an unknown key is not an error; one a couple of edits away from a known
 * key is most likely a typo that would otherwise be silently ignored.
 */
function typoWarnings(data: unknown, locator: Locator): Diagnostic[] {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return [];
  const out: Diagnostic[] = [];
  for (const key of Object.keys(data)) {
    if (KNOWN_KEYS.has(key)) continue;
    const suggestion = typoOf(key);
    if (!suggestion) continue;
    out.push({
      code: 'RC120',
      severity: 'warning',
      message: `unknown top-level key '${key}' is kept as a custom field`,
      file: locator.file,
      span: spanOrRoot(locator, [key], 'key'),
      label: `did you mean '${suggestion}'?`,
    });
  }
  return out;
}
