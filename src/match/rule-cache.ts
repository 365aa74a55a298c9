/**
 * The compiled-rule-set cache of `rulec match`: reading the SigmaHQ corpus through the front end (YAML, schema,
 * conditions, IR) takes seconds, parsing what it gave back from JSON a few hundred milliseconds. An entry is keyed
 * by the rule files' paths and bytes and by rulec itself (build/cache.ts `rulecKey`: its code, data and version),
 * so any change to a rule file, to the set of files or to rulec reads the rules afresh; `--no-cache` skips it.
 *
 * One entry per set of rule paths (and working folder: paths are kept as given), beside the build cache under
 * node_modules/.cache/rulec (or RULEC_CACHE_DIR), written whole to a temporary file and renamed; entries not used
 * for a month are deleted when one is written. An entry that is unreadable, of another key or truncated is ignored.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { cacheDir, pruneStaleCacheFiles, rulecKey, touchCacheFile, writeCacheFile } from '../build/cache.js';
import type { Correlation, Filter } from '../correlation/model.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { collectRuleFiles } from '../frontend.js';
import type { Rule } from '../model/rule.js';
import type { LoadedRules } from './load-rules.js';
import { readContents, readRules, sourceText } from './load-rules.js';
import { exactJson } from './serialize.js';

/** Bumped whenever the layout of an entry changes. */
const FORMAT = 2;
const MAGIC = 'rulec-rules';
/** The names of this cache's files, for pruning. */
const ENTRY = /^rules-/;

/** What the front end gave for the files, without what is recomputed on every run (the files, their texts). */
interface Entry {
  readonly rules: Rule[];
  readonly correlations: Correlation[];
  readonly filters: Filter[];
  /** The diagnostics of reading the files (not of finding them, which come first and are found again). */
  readonly diagnostics: Diagnostic[];
  /** Indexes of the files whose text `LoadedRules.sources` keeps. */
  readonly sourced: number[];
}

export interface CachedRules extends LoadedRules {
  /** Whether the rules came from the cache. */
  readonly cached: boolean;
  /**
   * The rules without their documents as exact JSON (serialize.ts `exactJson`), as `--jobs` workers receive them,
   * when the cache holds them so (undefined with the cache off).
   */
  readonly slimJson?: string;
}

/** The rules as the `--jobs` workers receive them: without each rule's document (only the front end reads it). */
export function slimRules(rules: readonly Rule[]): Omit<Rule, 'document'>[] {
  return rules.map(({ document: _document, ...rest }) => rest);
}

/**
 * `loadRules` through the cache (`cache` false: read afresh and write nothing). `onSlimJson` receives the workers'
 * text of a cached entry as soon as it is read, before the rest is parsed, so that they parse it meanwhile.
 */
export function loadRulesCached(
  paths: readonly string[],
  cache = true,
  onSlimJson?: (json: string) => void,
): CachedRules {
  const found: Diagnostic[] = [];
  const files = collectRuleFiles(paths, found);
  const contents = readContents(files);
  // A file that cannot be read is reported on every run: no entry then.
  const readable = cache && contents.every((c) => Buffer.isBuffer(c));
  const key = readable ? entryKey(files, contents as Buffer[]) : undefined;
  const file = join(cacheDir(), `rules-${sha256(JSON.stringify([process.cwd(), paths])).slice(0, 16)}.bin`);
  const hit = key !== undefined ? readEntry(file, key, onSlimJson) : undefined;
  if (hit) {
    const { entry, slimJson } = hit;
    const sources = new Map<string, string>();
    for (const i of entry.sourced) sources.set(files[i]!, sourceText(contents[i] as Buffer));
    const { rules, correlations, filters } = entry;
    const diagnostics = [...found, ...entry.diagnostics];
    return {
      files,
      rules,
      correlations,
      filters,
      diagnostics,
      sources,
      cached: true,
      ...(slimJson ? { slimJson } : {}),
    };
  }
  const loaded = readRules(files, contents, [...found]);
  if (key === undefined) return { ...loaded, cached: false };
  const sourced: number[] = [];
  files.forEach((f, i) => {
    if (loaded.sources.has(f)) sourced.push(i);
  });
  const { rules, correlations, filters } = loaded;
  const slimJson = writeEntry(file, key, {
    rules,
    correlations,
    filters,
    diagnostics: loaded.diagnostics.slice(found.length),
    sourced,
  });
  return { ...loaded, cached: false, ...(slimJson !== undefined ? { slimJson } : {}) };
}

function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

function entryKey(files: readonly string[], contents: readonly Buffer[]): string {
  const hash = createHash('sha256').update(`${FORMAT}\0${rulecKey()}\0`);
  files.forEach((f, i) => hash.update(f).update('\0').update(contents[i]!).update('\0'));
  return hash.digest('hex');
}

/**
 * Header line: magic, format, key, then the body's layout: `json <rules> <rest>` (two ASCII JSON sections: the
 * slim rules, what the workers receive, then the rest of the entry with the rules' documents) or `v8 <length>`.
 */
function header(key: string, layout: string): string {
  return `${MAGIC} ${FORMAT} ${key} ${layout}\n`;
}

/** The rest of a JSON entry: everything but the rules, and the rules' documents. */
type Rest = Omit<Entry, 'rules'> & { readonly documents: Rule['document'][] };

function readEntry(
  file: string,
  key: string,
  onSlimJson?: (json: string) => void,
): { entry: Entry; slimJson?: string } | undefined {
  try {
    const bytes = readFileSync(file);
    const eol = bytes.indexOf(0x0a);
    const head = bytes.toString('latin1', 0, eol + 1);
    const body = bytes.subarray(eol + 1);
    if (head === header(key, `v8 ${body.length}`)) {
      const entry = deserialize(body) as Entry;
      touchCacheFile(file);
      return { entry };
    }
    const prefix = header(key, '').slice(0, -1);
    const layout = head.startsWith(prefix) ? /^json (\d+) (\d+)\n$/.exec(head.slice(prefix.length)) : null;
    if (!layout || Number(layout[1]) + Number(layout[2]) !== body.length) return undefined;
    const split = Number(layout[1]);
    const slimJson = body.toString('latin1', 0, split);
    onSlimJson?.(slimJson);
    const rules = JSON.parse(slimJson) as Rule[];
    const { documents, ...rest } = JSON.parse(body.toString('latin1', split)) as Rest;
    // `document` is the last key the front end sets on a rule: set again, the keys come in the same order.
    rules.forEach((rule, i) => ((rule as { document: Rule['document'] }).document = documents[i]!));
    touchCacheFile(file);
    return { entry: { ...rest, rules }, slimJson };
  } catch {
    return undefined;
  }
}

/** Writes the entry; returns the slim rules' JSON when the entry is JSON. */
function writeEntry(file: string, key: string, entry: Entry): string | undefined {
  let parts: Buffer[];
  let slimJson: string | undefined;
  let restJson: string | undefined;
  try {
    const { rules, ...others } = entry;
    slimJson = exactJson(slimRules(rules));
    const rest: Rest = { ...others, documents: rules.map((r) => r.document) };
    restJson = slimJson !== undefined ? exactJson(rest) : undefined;
    if (slimJson !== undefined && restJson !== undefined) {
      const sections = [Buffer.from(asciiJson(slimJson), 'latin1'), Buffer.from(asciiJson(restJson), 'latin1')];
      parts = [Buffer.from(header(key, `json ${sections[0]!.length} ${sections[1]!.length}`)), ...sections];
    } else {
      const body = serialize(entry);
      parts = [Buffer.from(header(key, `v8 ${body.length}`)), body];
    }
  } catch {
    // An entry that cannot be serialised only costs speed next time.
    return undefined;
  }
  if (!writeCacheFile(file, parts)) return undefined;
  pruneStaleCacheFiles(ENTRY);
  return restJson !== undefined ? slimJson : undefined;
}

/**
 * JSON text with every character past ASCII escaped (`\u00e9`): it then decodes as Latin-1 into a one-byte string,
 * 3-4 times faster than UTF-8 into a two-byte one (the SigmaHQ corpus: 73 ms against 23 ms of 400 ms in all).
 */
function asciiJson(json: string): string {
  return json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
