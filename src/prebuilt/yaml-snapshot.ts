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
import { join, relative, sep } from 'node:path';
import { packageRoot } from '../backend/root.js';
import { yamlLib } from '../source/yaml-lib.js';

/** Where `npm run build:ts` (and `prepare`) writes the snapshot: inside lib/, which is never committed. */
export const SNAPSHOT_FILE = join('lib', 'prebuilt', 'yaml-data.json');

export interface SnapshotEntry {
  readonly sha1: string;
  /** The parsed data as JSON text, parsed on each read so callers get fresh objects as `parse` would give. */
  readonly json: string;
}

let snapshot: Readonly<Record<string, SnapshotEntry>> | undefined;

function entries(): Readonly<Record<string, SnapshotEntry>> {
  if (snapshot) return snapshot;
  try {
    snapshot = JSON.parse(readFileSync(join(packageRoot(), SNAPSHOT_FILE), 'utf8')) as Record<string, SnapshotEntry>;
  } catch {
    snapshot = {};
  }
  return snapshot;
}

export const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex');

/** The key of a file in the snapshot: its path from the package root, with forward slashes. */
export function snapshotKey(file: string): string {
  return relative(packageRoot(), file).split(sep).join('/');
}

/**
 * The data of a file of rulec's own (a built-in profile) given its text, when the snapshot holds it: the same data
 * `loadSource` would give its one document. Undefined otherwise (the caller parses it).
 */
export function prebuiltData(file: string, text: string): unknown {
  const entry = entries()[snapshotKey(file)];
  return entry && entry.sha1 === sha1(text) ? (JSON.parse(entry.json) as unknown) : undefined;
}

/** `parse(readFileSync(file, 'utf8'))` for a file of rulec's own data, from the snapshot when it matches. */
export function readPackageYaml(file: string, from: Readonly<Record<string, SnapshotEntry>> = entries()): unknown {
  const text = readFileSync(file, 'utf8');
  const entry = from[snapshotKey(file)];
  if (entry && entry.sha1 === sha1(text)) return JSON.parse(entry.json) as unknown;
  return yamlLib().parse(text) as unknown;
}
