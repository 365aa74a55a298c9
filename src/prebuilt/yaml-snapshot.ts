/**
 * rulec's own YAML data (the targets' pipeline packs, field tables) as JSON prepared when the package is built.
 * Parsing ≈400 KB of pipeline YAML with the `yaml` package cost most of a cold start (≈0.3 s of a 0.9 s
 * `rulec compile`); JSON.parse of the same data takes a few milliseconds.
 *
 * Each entry is keyed by the SHA-1 of the YAML text it was made from, so an edited file (a checkout where lib/ is
 * older than the data, tests editing nothing) is simply parsed again: the snapshot can be missing or stale, never
 * wrong. Files whose data JSON cannot carry exactly (non-finite numbers, …) are left out when it is generated.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { packageRoot } from '../backend/root.js';
import { updateText } from '../source/hash-text.js';
import { yamlLib } from '../source/yaml-lib.js';

/**
 * Where `npm run build:ts` (and `prepare`) writes the snapshot, inside lib/ (never committed): one JSON file per YAML
 * file, `<its key>.json`, so a run reads the data of the target it compiles for, not all of it (≈0.5 MB).
 */
export const SNAPSHOT_DIR = join('lib', 'prebuilt', 'yaml');

export interface SnapshotEntry {
  readonly sha1: string;
  /** The parsed data as JSON text, parsed on each read so callers get fresh objects as `parse` would give. */
  readonly json: string;
  /**
   * The keys (`schemaKey`) of rulec's JSON Schemas the data passed when the package was built: a built-in profile
   * read as a settings file need not be validated again on every run.
   */
  readonly valid?: readonly string[];
}

export const sha1 = (text: string): string => updateText(createHash('sha1'), text).digest('hex');

/** The key of a file in the snapshot: its path from the package root, with forward slashes. */
export function snapshotKey(file: string): string {
  return relative(packageRoot(), file).split(sep).join('/');
}

/** The snapshot file of a key, or undefined for a file outside the package (a user's settings file). */
export function snapshotFile(key: string, root = packageRoot()): string | undefined {
  if (key === '' || key.startsWith('../') || isAbsolute(key)) return undefined;
  return join(root, SNAPSHOT_DIR, `${key}.json`);
}

/** The snapshot entry of a file of rulec's own when there is one made from this very text. */
function entryFor(
  file: string,
  text: string,
  from: Readonly<Record<string, SnapshotEntry>> | undefined,
): SnapshotEntry | undefined {
  const key = snapshotKey(file);
  let entry: SnapshotEntry | undefined;
  if (from) entry = from[key];
  else {
    const path = snapshotFile(key);
    try {
      entry = path === undefined ? undefined : (JSON.parse(readFileSync(path, 'utf8')) as SnapshotEntry);
    } catch {
      entry = undefined;
    }
  }
  return entry && entry.sha1 === sha1(text) ? entry : undefined;
}

export interface PrebuiltDocument {
  /** The same data `loadSource` would give the file's one document. */
  readonly data: unknown;
  /** Keys of the schemas the data passed when the package was built (see `SnapshotEntry.valid`). */
  readonly valid: readonly string[];
}

/**
 * The data of a file of rulec's own (a built-in profile) given its text, when the snapshot holds it. Undefined
 * otherwise (the caller parses it).
 */
export function prebuiltData(file: string, text: string): PrebuiltDocument | undefined {
  const entry = entryFor(file, text, undefined);
  return entry ? { data: JSON.parse(entry.json) as unknown, valid: entry.valid ?? [] } : undefined;
}

/** `parse(readFileSync(file, 'utf8'))` for a file of rulec's own data, from the snapshot when it matches. */
export function readPackageYaml(file: string, from?: Readonly<Record<string, SnapshotEntry>>): unknown {
  const text = readFileSync(file, 'utf8');
  const entry = entryFor(file, text, from);
  if (entry) return JSON.parse(entry.json) as unknown;
  return yamlLib().parse(text) as unknown;
}
