/**
 * The incremental `rulec build`: after a build of the whole output, the next one over the same rule files and
 * options, with a few rule files edited, compiles those files only and edits the output in place — their own
 * files, their entries in the combined files (the target's `spliceBundle`) and in the record (record-patch.ts) —
 * without reading the other rules, their results or the output folder back.
 *
 * Where a build after one edit spent its time (node --cpu-prof, SigmaHQ corpus, 3.1 s): decoding the 51 MB result
 * pack and its garbage (0.9 s), joining every combined file and rendering the record again (0.4 s), reading and
 * stat'ing the 15,458 files of the output and of the manifest (0.3 s), reading and hashing every rule file, and
 * the report (locating every diagnostic on its source, 0.1 s; the coverage of every result, 0.14 s).
 *
 * What makes this safe is a state kept beside the result cache (cache.ts), written by every build that leaves a
 * whole output (`saveIncremental`): each rule file's stat and text hash, what it made in each target and its
 * fragments of the combined files (in a blob file read at offsets), what it adds to the report, and the stat of
 * every file of the output folder; an in-place build writes what it changed there as a patch beside it
 * (output-check.ts `StatePatch`). A build takes this path only when all of that still holds:
 *   - same key: rulec itself (code, templates, data), targets, pipelines, site settings, options, rule file list;
 *   - every file of the output as written (size, mtime, inode) and no file added to or removed from its folders:
 *     a file edited, deleted or dropped there by hand sends the build the whole way, which restores it;
 *   - no correlation rules or filters anywhere, no rule whose id or title another rule has (those link files);
 *   - each changed file keeps its rules' ids and titles, its files' names, its diagnostics' codes and statuses
 *     (so the coverage table and the exit code stay), and its fragments' places in the combined files.
 * Anything else returns undefined before a byte is written, and the build runs as before (scoped.ts). A rule file
 * whose stat changed but whose text did not is only re-stat'ed.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fragmentKey } from '../backend/bundle.js';
import type { BuildResult } from './built.js';
import { slimResult } from './built.js';
import { rulecKey, touchCacheFile, writeCacheFile } from './cache.js';
import { compileRule } from '../compile.js';
import type { LoadedTarget } from '../compile.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { readRuleFile } from '../frontend.js';
import type { Discovery, WalkRecord } from '../source/discover.js';
import type { Rule } from '../model/rule.js';
import { RECORD_FILE } from './output-folder.js';
import { patchRecord } from './record-patch.js';
import type { SourceChange } from './record-patch.js';
import { contentHash } from './tree-manifest.js';
import type { AheadCheck } from './output-check.js';
import type { StatePatch } from './output-check.js';
import { applyPatch, checkOutput, patchFile, stateFile } from './output-check.js';
import type { ManifestEntry } from './tree-manifest.js';
import { commitStagedUpdate, recoverInterruptedSwap, recoverInterruptedUpdate, WriteError } from './atomic.js';
import { stagingDir } from './lock.js';

/** Bumped whenever the layout of the state or of its blob changes. */
const FORMAT = 3;
/** The blob (fragments and details) size beyond which the whole build runs and writes it afresh. */
const MAX_BLOB = 256 * 2 ** 20;

/**
 * What one rule file made in one target: its files, their sha1s (a file whose new text has the same is not
 * rewritten), and each of its rules' fragments as [document index, offset, length] in the blob.
 */
type TargetPart = [files: string[], hashes: string[], fragments: [number, number, number][]];

/** One rule file's details, kept in the blob: read only for a file whose stat changed. */
interface Details {
  /** sha256 of its text: the record's source hash. */
  readonly source: string;
  /** sha1 of `fileSignature`. */
  readonly signature: string;
  /** In the state's target order. */
  readonly targets: TargetPart[];
}

/** A rule file as discovered, its size and mtime, and where its details are in the blob. */
type FileEntry = [path: string, size: number, mtimeMs: number, offset: number, length: number];

/**
 * The state read by every build: small (1.5 MB for the corpus) so that reading it costs little; what only a
 * changed file needs is in the blob.
 */
interface State {
  readonly format: number;
  /** Random, new with every state written: a check made ahead (output-check.ts) names the state it checked. */
  readonly nonce: string;
  readonly key: string;
  readonly targets: readonly string[];
  readonly files: readonly FileEntry[];
  /** Every file of the output folder as written: its path and [size, mtime, inode] in `stamps`. */
  readonly paths: readonly string[];
  readonly stamps: readonly number[];
  /** The output folder and its subfolders (relative, '' for itself) → mtime: a file added or removed changes it. */
  readonly folders: Readonly<Record<string, number>>;
  /** Targets whose combined files may be spliced: every fragment's key distinct. */
  readonly splice: readonly string[];
  /** The diagnostics printed, by file ('' for those of none), in printed order. */
  readonly segments: readonly (readonly [string, string])[];
  /** The report after the diagnostics: coverage table and summary. */
  readonly tail: string;
  readonly exitCode: number;
  /** The rule folders as listed by a build (`walkedFiles`), when it may be trusted. */
  readonly walk?: TrustedWalk;
  /** In memory: the patch applied to the state as written whole (output-check.ts `StatePatch`), if any. */
  readonly patch?: StatePatch;
}

/** Beyond this many entries, a patch is folded into the state, written whole again. */
const MAX_PATCH = 2000;

/** What `saveIncremental` needs of a build that left a whole output. */
export interface SaveInput {
  readonly out: string;
  readonly key: string;
  readonly files: readonly string[];
  /** The rule files' stats, taken before they were read. */
  readonly stats: ReadonlyMap<string, { readonly size: number; readonly mtimeMs: number }>;
  readonly sources: ReadonlyMap<string, string>;
  readonly rules: readonly Rule[];
  readonly loadDiagnostics: readonly Diagnostic[];
  readonly badFiles: ReadonlySet<string>;
  readonly results: readonly BuildResult[];
  readonly targets: readonly LoadedTarget[];
  /** The output folder as left (tree-manifest.ts `writeManifest`). */
  readonly tree: Readonly<Record<string, ManifestEntry>>;
  readonly segments: readonly (readonly [string, string])[];
  readonly tail: string;
  readonly exitCode: number;
  readonly walk?: TrustedWalk;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex');

/** The fragments' and details' blob: one per output folder, rewritten only while no state names it. */
const blobFile = (out: string): string => stateFile(out).replace(/\.json$/, '.bin');

/** The cache files of the incremental build into `out`: its state, its patch and its blob. */
export function incrementalFiles(out: string): string[] {
  return [stateFile(out), patchFile(out), blobFile(out)];
}

/** Forgets the state (before a build that may change the output another way). */
export function dropIncremental(out: string): void {
  lastRead = undefined;
  rmSync(patchFile(out), { force: true });
  rmSync(stateFile(out), { force: true });
}

/** The key of everything a build's output depends on besides the rule files' texts. */
export function incrementalKey(parts: unknown): string {
  return createHash('sha256').update(rulecKey()).update('\0').update(JSON.stringify(parts)).digest('hex');
}

/**
 * What a rule file adds to the report's totals (coverage table, counts, exit code) and to the checks across
 * rules (ids, titles): equal before and after an edit, the rest of the report stands.
 */
export function fileSignature(
  rules: readonly Rule[],
  results: readonly BuildResult[],
  bad: boolean,
  loadDiagnostics: readonly Diagnostic[],
): string {
  const codes = (ds: readonly Diagnostic[]): string[] =>
    [...new Set(ds.map((d) => JSON.stringify([d.code, d.severity, d.message])))].sort();
  return sha1(
    JSON.stringify([
      bad,
      codes(loadDiagnostics),
      rules.map((r) => [r.documentIndex, r.id ?? null, r.title]),
      results.map((r) => [
        r.target,
        r.rule.documentIndex,
        r.status,
        Boolean(r.withheld),
        r.compiled?.mapped.logsourceId !== undefined,
        r.compiled?.fragmentError ?? null,
        codes(r.diagnostics),
      ]),
    ]),
  );
}

const posix = (path: string): string => path.split(sep).join('/');
const recordKeyOf = (out: string, cwd: string, file: string): string => posix(relative(out, resolve(cwd, file)));

/** The keys of a target's fragments are all distinct (a keyed fragment's key, or the fragment itself). */
function distinctKeys(fragments: readonly string[]): boolean {
  const keys = new Set<string>();
  for (const fragment of fragments) {
    const key = fragment.startsWith('[') ? fragmentKey(fragment) : fragment;
    if (keys.has(key)) return false;
    keys.add(key);
  }
  return true;
}

/** The mtimes of the output folder and of every folder holding its files, down from it. */
function folderStamps(out: string, paths: readonly string[]): Record<string, number> {
  const folders: Record<string, number> = { '': statSync(out).mtimeMs };
  for (const path of paths)
    for (let slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
      const folder = path.slice(0, slash);
      if (!(folder in folders)) folders[folder] = statSync(join(out, ...folder.split('/'))).mtimeMs;
    }
  return folders;
}

/** The mtimes of the same folders again (an in-place build keeps every file, so the folders are those). */
function restampFolders(out: string, folders: Readonly<Record<string, number>>): Record<string, number> {
  const again: Record<string, number> = {};
  for (const folder of Object.keys(folders)) again[folder] = statSync(join(out, ...folder.split('/'))).mtimeMs;
  return again;
}

/**
 * The rule folders a build listed (source/discover.ts `WalkRecord`), for the next build to list again only if one
 * changed: their mtimes, and the paths and folder they were found from. A folder whose mtime was within
 * `RACY_MS` of the walk is kept as never matching: a file system that stamps coarsely (FAT: 2 s) could give a file
 * added just after the listing the same mtime.
 */
export interface TrustedWalk {
  readonly cwd: string;
  readonly paths: readonly string[];
  readonly folders: readonly (readonly [string, number])[];
}

const RACY_MS = 3000;

/**
 * The walk to keep, when it may be trusted: whole listings (no glob, file or symlink: `partial`), no warning, and
 * every file found built (none left out as lying in the output folder).
 */
export function walkToKeep(
  record: WalkRecord,
  paths: readonly string[],
  discovery: Discovery,
  files: readonly string[],
): TrustedWalk | undefined {
  if (record.partial || discovery.diagnostics.length > 0 || files.length !== discovery.files.length) return undefined;
  return {
    cwd: process.cwd(),
    paths: [...paths],
    folders: record.folders.map(([dir, mtimeMs]) => [dir, mtimeMs < record.at - RACY_MS ? mtimeMs : -1]),
  };
}

/**
 * The rule files of the last build into `out`, when its walk of these paths was kept and every folder it listed
 * has the same mtime (nothing added, removed or renamed in any): 175 folder stats for the corpus instead of
 * listing them (17 ms of readdir and 15 ms of joining paths on the loaded host). Undefined otherwise.
 */
export function walkedFiles(
  out: string,
  paths: readonly string[],
): { readonly files: string[]; readonly walk: TrustedWalk } | undefined {
  const state = readState(out);
  const walk = state?.walk;
  if (!walk || walk.cwd !== process.cwd() || JSON.stringify(walk.paths) !== JSON.stringify(paths)) return undefined;
  for (const [dir, mtimeMs] of walk.folders)
    if (statSync(dir, { throwIfNoEntry: false })?.mtimeMs !== mtimeMs) return undefined;
  // Still a true account of the folders: kept by the state this build leaves.
  return { files: state!.files.map(([path]) => path), walk };
}

/** Keeps what the next build needs to take the incremental path. Failures only cost speed next time. */
export function saveIncremental(input: SaveInput): void {
  try {
    dropIncremental(input.out);
    const byFile = groupBy(input.results, (r) => r.rule.file);
    const rulesOf = groupBy(input.rules, (r) => r.file);
    const loadOf = groupBy(input.loadDiagnostics, (d) => d.file ?? '');
    const blob: Buffer[] = [];
    let offset = 0;
    const put = (text: string): [number, number] => {
      const bytes = Buffer.from(text);
      blob.push(bytes);
      offset += bytes.length;
      return [offset - bytes.length, bytes.length];
    };
    const ids = input.targets.map((t) => t.backend.id);
    const fragmentsOf = new Map<string, string[]>(ids.map((id) => [id, []]));
    const files: FileEntry[] = [];
    for (const path of input.files) {
      const text = input.sources.get(path);
      const stat = input.stats.get(path);
      if (text === undefined || stat === undefined) return;
      const results = byFile.get(path) ?? [];
      const targets: TargetPart[] = ids.map((id) => {
        const own = results.filter((r) => r.target === id && r.compiled && !r.withheld);
        const names = own.flatMap((r) => r.artifacts.map((a) => a.path));
        const fragments: [number, number, number][] = [];
        for (const result of own) {
          const fragment = result.compiled!.fragment;
          if (fragment === undefined) continue;
          fragmentsOf.get(id)!.push(fragment);
          fragments.push([result.rule.documentIndex, ...put(fragment)]);
        }
        return [names, names.map((name) => input.tree[`${id}/${name}`]?.[3] ?? ''), fragments];
      });
      const details: Details = {
        source: sha256(text),
        signature: fileSignature(rulesOf.get(path) ?? [], results, input.badFiles.has(path), loadOf.get(path) ?? []),
        targets,
      };
      files.push([path, stat.size, stat.mtimeMs, ...put(JSON.stringify(details))]);
    }
    if (!writeCacheFile(blobFile(input.out), blob)) return;
    const paths = Object.keys(input.tree);
    writeState(input.out, {
      format: FORMAT,
      key: input.key,
      targets: ids,
      files,
      paths,
      stamps: paths.flatMap((path) => input.tree[path]!.slice(0, 3) as number[]),
      folders: folderStamps(input.out, paths),
      splice: [...fragmentsOf].filter(([, fragments]) => distinctKeys(fragments)).map(([id]) => id),
      segments: input.segments,
      tail: input.tail,
      exitCode: input.exitCode,
      ...(input.walk ? { walk: input.walk } : {}),
    });
  } catch {
    dropIncremental(input.out);
  }
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = map.get(key);
    if (list) list.push(item);
    else map.set(key, [item]);
  }
  return map;
}

/**
 * The state last read, with the stamp its file had once read and touched: the output folder's check
 * (`foldersAsLeft`) and the build read it once. A state file written since (another build, under the lock) is
 * another file, so another stamp.
 */
let lastRead: { readonly file: string; readonly stamp: string; readonly state: State } | undefined;
const fileStamp = (stat: Stats): string => `${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;

function readState(out: string): State | undefined {
  const file = stateFile(out);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const patched = patchFile(out);
    const stampNow = (): string => {
      const patch = statSync(patched, { throwIfNoEntry: false });
      return `${fileStamp(fstatSync(fd))}/${patch ? fileStamp(patch) : ''}`;
    };
    if (lastRead?.file === file && lastRead.stamp === stampNow()) return lastRead.state;
    const whole = JSON.parse(readFileSync(fd, 'utf8')) as State;
    if (whole.format !== FORMAT) return undefined;
    let state = whole;
    if (existsSync(patched)) {
      const patch = JSON.parse(readFileSync(patched, 'utf8')) as StatePatch;
      // A patch of another state: the two files are not of one build's.
      if (patch.base !== whole.nonce) return undefined;
      state = { ...applyPatch(whole, patch), patch };
      touchCacheFile(patched);
    }
    touchCacheFile(file);
    lastRead = { file, stamp: stampNow(), state };
    return state;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Writes the state whole (its patch folded in). */
function writeState(out: string, state: Omit<State, 'nonce'>): void {
  lastRead = undefined;
  const nonce = randomBytes(8).toString('hex');
  const { patch: _folded, ...whole } = state;
  rmSync(patchFile(out), { force: true });
  writeCacheFile(stateFile(out), [Buffer.from(JSON.stringify({ ...whole, nonce }))]);
}

/**
 * Writes `next`, the state `previous` after an in-place build changed the entries of rule files `files` and of
 * output paths `paths`, as a patch of the state as written whole (with those of the patch before); whole when the
 * patch would grow too large.
 */
function writeEdit(
  out: string,
  previous: State,
  next: Omit<State, 'nonce' | 'patch'>,
  files: Iterable<number>,
  paths: Iterable<number>,
): void {
  const fileIndexes = new Set([...(previous.patch?.files ?? []).map(([i]) => i), ...files]);
  const pathIndexes = new Set([...(previous.patch?.stamps ?? []).map(([i]) => i), ...paths]);
  if (fileIndexes.size + pathIndexes.size > MAX_PATCH) return writeState(out, next);
  lastRead = undefined;
  const patch: StatePatch = {
    base: previous.patch?.base ?? previous.nonce,
    nonce: randomBytes(8).toString('hex'),
    files: [...fileIndexes].map((i) => [i, next.files[i]!]),
    stamps: [...pathIndexes].map((i) => [i, next.stamps[3 * i]!, next.stamps[3 * i + 1]!, next.stamps[3 * i + 2]!]),
    folders: next.folders,
    segments: next.segments,
    ...(next.walk ? { walk: next.walk } : {}),
  };
  writeCacheFile(patchFile(out), [Buffer.from(JSON.stringify(patch))]);
}

/**
 * The mtimes the last build that kept a state left the output's target folders with (for `checkOutputFolder`):
 * empty when there is no state.
 */
export function foldersAsLeft(out: string): ReadonlyMap<string, number> {
  const folders = readState(out)?.folders ?? {};
  return new Map(Object.entries(folders).filter(([folder]) => folder !== '' && !folder.includes('/')));
}

export interface IncrementalInput {
  readonly out: string;
  readonly cwd: string;
  readonly key: string;
  readonly files: readonly string[];
  /** The targets, loaded only when some file changed. */
  readonly loadTargets: () => readonly LoadedTarget[];
  /** The diagnostics of rules beyond their own reading and compiling (`targets:` names no target knows). */
  readonly diagnosticsOf: (rules: readonly Rule[], sources: ReadonlyMap<string, string>) => readonly Diagnostic[];
  /** Diagnostics as printed, by file (report.ts `diagnosticSegments`, filtered as the build shows them). */
  readonly segments: (
    diagnostics: readonly Diagnostic[],
    sources: ReadonlyMap<string, string>,
  ) => readonly (readonly [string, string])[];
  readonly stderr: (text: string) => void;
  /** The rule folders as this build listed them, when it did and may trust the listing next time. */
  readonly walk?: TrustedWalk;
  /** The check of the output and the rule files made on another thread, if any (used for its state only). */
  readonly ahead?: AheadCheck;
}

interface Changed {
  readonly index: number;
  readonly details: Details;
  readonly bytes: Buffer;
  readonly text: string;
  readonly source: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * The incremental build, when it applies: its exit code and the number of rule files it compiled, having written
 * the output and printed the report as the whole build would have. Undefined when it does not apply (nothing
 * written).
 */
export function incrementalBuild(
  input: IncrementalInput,
): { exitCode: number; compiled: number; checkedAhead: boolean; cleanup?: Promise<void> } | undefined {
  const { out } = input;
  lap('start');
  const state = readState(out);
  lap('state read');
  if (!state || state.key !== input.key || state.files.length !== input.files.length)
    return skip('no state of this key and file list');
  // The output folder as written (every file's stamp, and no file added or removed in its folders) and which
  // rule files' stats changed: checked ahead for this very state, or now.
  const { paths, stamps } = state;
  const ahead = input.ahead?.nonce === state.nonce ? input.ahead : undefined;
  const checked = ahead ?? checkOutput({ lstatSync, statSync }, { ...state, out, sep });
  if (checked.notAsLeft !== undefined) return skip(checked.notAsLeft);
  lap(ahead ? 'output checked (ahead)' : 'output checked');
  for (let i = 0; i < input.files.length; i++)
    if (state.files[i]![0] !== input.files[i]) return skip('the rule files are not those of the state');
  const blob = openBlob(blobFile(out));
  if (!blob) return skip('no blob');
  // Each edit appends its fragments; a blob grown this far is rewritten by the whole build (about 30 MB a time).
  if (blob.size > MAX_BLOB) {
    blob.close();
    return skip('the blob has grown too large');
  }
  try {
    // The rule files: those whose stat changed are read; those whose text changed are rebuilt.
    const restat: Changed[] = [];
    const changed: Changed[] = [];
    for (const [i, size, mtimeMs] of checked.rules) {
      const [path, , , offset, length] = state.files[i]!;
      if (size === undefined || mtimeMs === undefined) return skip(`'${path}' is gone`);
      const details = JSON.parse(blob.read(offset, length)) as Details;
      const bytes = readFileSync(path);
      const text = bytes.toString('utf8');
      const entry = { index: i, details, bytes, text, source: sha256(text), size, mtimeMs };
      (entry.source === details.source ? restat : changed).push(entry);
    }
    lap('rule files checked');
    const files = [...state.files];
    for (const { index, size, mtimeMs } of [...restat, ...changed]) {
      const [path, , , offset, length] = files[index]!;
      files[index] = [path, size, mtimeMs, offset, length];
    }
    if (changed.length === 0) {
      input.stderr(report(state.segments, state.tail));
      input.stderr(`${out}: inputs unchanged since the last build: nothing to do (cached)\n`);
      // Written again for new stats, or for a walk of the rule folders the state does not have yet.
      if (restat.length > 0 || (input.walk !== undefined && input.walk !== state.walk))
        writeEdit(
          out,
          state,
          { ...state, files, ...(input.walk ? { walk: input.walk } : {}) },
          restat.map((entry) => entry.index),
          [],
        );
      return { exitCode: state.exitCode, compiled: 0, checkedAhead: ahead !== undefined };
    }
    const edit = editOutput(input, state, blob, changed, files);
    lap('compiled and spliced');
    if (!edit) return undefined;
    const { writes, segments } = edit;

    // Committed from here: the new details first (the state names them), then the folder, then the state.
    if (!blob.append(edit.appended)) return skip('the blob could not be written');
    const stampOf = new Map<string, number[]>();
    let cleanup: Promise<void> | undefined;
    if (writes.size > 0) {
      // The state as written whole no longer describes the folder (the files written get other inodes): without
      // the patch that will, a build killed from here on leaves a state the next build finds stale.
      rmSync(patchFile(out), { force: true });
      lastRead = undefined;
      cleanup = writeInPlace(out, writes);
      lap('written');
      for (const path of writes.keys()) {
        const stat = lstatSync(join(out, ...path.split('/')));
        stampOf.set(path, [stat.size, stat.mtimeMs, stat.ino]);
      }
    }
    const nextStamps = [...stamps];
    paths.forEach((path, i) => {
      const stamp = stampOf.get(path);
      if (stamp) nextStamps.splice(3 * i, 3, ...stamp);
    });
    input.stderr(report(segments, state.tail));
    const written = [...writes.keys()].filter((path) => path !== RECORD_FILE).length;
    const count = paths.filter((path) => path !== RECORD_FILE).length;
    input.stderr(
      writes.size === 0
        ? `${out}: nothing changed (${count} files)\n`
        : `${out}: 0 added, ${written} changed, 0 removed (${count} files)\n`,
    );
    writeEdit(
      out,
      state,
      {
        ...state,
        files,
        stamps: nextStamps,
        folders: restampFolders(out, state.folders),
        segments,
        // A walk kept from before (in `state`) only names older mtimes: a folder changed since is listed again.
        ...(input.walk ? { walk: input.walk } : {}),
      },
      [...restat, ...changed].map((entry) => entry.index),
      paths.flatMap((path, i) => (stampOf.has(path) ? [i] : [])),
    );
    lap('state written');
    return {
      exitCode: state.exitCode,
      compiled: changed.length,
      checkedAhead: ahead !== undefined,
      ...(cleanup ? { cleanup } : {}),
    };
  } finally {
    blob.close();
  }
}

/**
 * The output folder's changes for the changed files (their own files, the combined files, the record), the
 * report's new segments and the blob's new entries (`files` gets their places); undefined when the change cannot
 * be made in place.
 */
function editOutput(
  input: IncrementalInput,
  state: State,
  blob: Blob,
  changed: readonly Changed[],
  files: FileEntry[],
): { writes: Map<string, string | readonly Buffer[]>; segments: [string, string][]; appended: Buffer[] } | undefined {
  const { out } = input;
  const byId = new Map(input.loadTargets().map((t) => [t.backend.id, t]));
  const targets = state.targets.map((id) => byId.get(id));
  if (targets.some((t) => t === undefined)) return skip('the targets are not those of the state');
  const writes = new Map<string, string | readonly Buffer[]>();
  // The combined files as bytes, read when a fragment in them changes, spliced in place (as parts: joined only
  // when another changed file splices the same file again).
  const combined = new Map<string, Buffer | readonly Buffer[]>();
  const readCombined =
    (id: string) =>
    (path: string): Buffer | undefined => {
      const key = `${id}/${path}`;
      let bytes = combined.get(key);
      if (bytes === undefined && state.paths.includes(key)) bytes = readFileSync(join(out, id, ...path.split('/')));
      if (Array.isArray(bytes)) bytes = Buffer.concat(bytes);
      if (bytes !== undefined) combined.set(key, bytes);
      return bytes as Buffer | undefined;
    };
  const segments = new Map(state.segments);
  const appended: Buffer[] = [];
  let end = blob.size;
  const put = (text: string): [number, number] => {
    const bytes = Buffer.from(text);
    appended.push(bytes);
    end += bytes.length;
    return [end - bytes.length, bytes.length];
  };
  for (const change of changed) {
    const path = files[change.index]![0];
    const read = readRuleFile(path, change.bytes);
    if (read.correlations.length > 0 || read.filters.length > 0)
      return skip(`'${path}' holds correlation rules or filters`);
    // In target order, documents in file order: the order of a whole build's results.
    const results = targets.flatMap((target) =>
      read.rules.map((rule) => slimResult(compileRule(rule, target!), target!)),
    );
    const sources = new Map([[path, change.text]]);
    const diagnostics = [
      ...read.diagnostics,
      ...input.diagnosticsOf(read.rules, sources),
      ...results.flatMap((r) => r.diagnostics),
    ];
    // A file counts as bad for any error in it, as in the build's summary.
    const bad = diagnostics.some((d) => d.severity === 'error');
    if (fileSignature(read.rules, results, bad, read.diagnostics) !== change.details.signature)
      return skip(`'${path}' changes the report's totals, an id or a title`);
    const printed = input.segments(diagnostics, sources);
    if (printed.some(([file]) => file !== path)) return skip(`'${path}' has diagnostics of other files`);
    const shown = printed.map(([, text]) => text).join('');
    if (shown === '') segments.delete(path);
    else if (segments.has(path)) segments.set(path, shown);
    else return skip(`'${path}' has diagnostics it had none of`);

    const parts: TargetPart[] = [];
    for (const [t, target] of targets.entries()) {
      const id = target!.backend.id;
      const [names, hashes, before] = change.details.targets[t]!;
      const own = results.filter((r) => r.target === id && r.compiled && !r.withheld);
      const artifacts = own.flatMap((r) => r.artifacts);
      if (JSON.stringify(artifacts.map((a) => a.path)) !== JSON.stringify(names))
        return skip(`'${path}' makes other files in ${id}`);
      const newHashes = artifacts.map((artifact, i) => {
        const content = artifact.content as string;
        const hash = contentHash(content);
        if (hash !== hashes[i]) writes.set(`${id}/${artifact.path}`, content);
        return hash;
      });
      const fragments: [number, number, number][] = [];
      for (const result of own) {
        const fragment = result.compiled!.fragment;
        if (fragment === undefined) continue;
        const old = before.find(([document]) => document === result.rule.documentIndex);
        if (!old) return skip(`'${path}' has a new fragment in ${id}`);
        const previous = blob.read(old[1], old[2]);
        if (previous === fragment) {
          fragments.push(old);
          continue;
        }
        const splice = target!.backend.spliceBundle;
        if (!splice || !state.splice.includes(id)) return skip(`${id} cannot splice its combined files`);
        const spliced = splice(readCombined(id), previous, fragment);
        if (!spliced) return skip(`${id} could not place the fragment of '${path}'`);
        for (const file of spliced) {
          combined.set(`${id}/${file.path}`, file.content);
          writes.set(`${id}/${file.path}`, file.content);
        }
        fragments.push([result.rule.documentIndex, ...put(fragment)]);
      }
      if (fragments.length !== before.length) return skip(`'${path}' lost a fragment in ${id}`);
      parts.push([names, newHashes, fragments]);
    }
    const details: Details = { source: change.source, signature: change.details.signature, targets: parts };
    const [, size, mtimeMs] = files[change.index]!;
    files[change.index] = [path, size, mtimeMs, ...put(JSON.stringify(details))];
  }

  // The record: each changed file's entries name its new text.
  const recordBytes = readFileSync(join(out, RECORD_FILE));
  const sourceChanges: SourceChange[] = changed.map((c) => ({
    key: recordKeyOf(out, input.cwd, files[c.index]![0]),
    before: c.details.source,
    after: c.source,
    text: c.text,
  }));
  const record = patchRecord(recordBytes, sourceChanges);
  if (record === undefined) return skip('the record is not as rendered');
  if (record.changed) writes.set(RECORD_FILE, record.parts);
  return { writes, segments: [...segments], appended };
}

/**
 * atomic.ts `updateTree` of files given as text or as parts (spliced combined files, the patched record): each
 * staged part by part, never joined, then applied with the same journal. The applied update folder is deleted on
 * Node's thread pool while the build writes its state and report (the caller awaits it before it releases the
 * lock): its unlink and rmdir calls, about 20 on a busy file system's journal, took 50 ms in line.
 */
function writeInPlace(out: string, writes: ReadonlyMap<string, string | readonly Buffer[]>): Promise<void> {
  recoverInterruptedSwap(out);
  recoverInterruptedUpdate(out);
  const staging = stagingDir(out);
  rmSync(staging, { recursive: true, force: true });
  try {
    for (const [path, content] of writes) {
      const file = join(staging, 'new', ...path.split('/'));
      mkdirSync(dirname(file), { recursive: true });
      if (typeof content === 'string') writeFileSync(file, content);
      else writeParts(file, content);
    }
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw new WriteError(out, error as NodeJS.ErrnoException);
  }
  const update = commitStagedUpdate(out, staging, { write: [...writes.keys()], remove: [] });
  const cleanup = rm(update, { recursive: true, force: true });
  // Not awaited when the build fails after this point: the folder is then left to the next build (under the lock,
  // atomic.ts recoverInterruptedUpdate), and its failure is no unhandled rejection.
  cleanup.catch(() => undefined);
  return cleanup;
}

function writeParts(file: string, parts: readonly Buffer[]): void {
  const fd = openSync(file, 'w');
  try {
    for (const part of parts) for (let done = 0; done < part.length;) done += writeSync(fd, part, done);
  } finally {
    closeSync(fd);
  }
}

let lapped = performance.now();
/** With RULEC_DEBUG_INCREMENTAL set, the time since the previous lap on stderr (where an incremental build spends). */
function lap(what: string): void {
  if (!process.env.RULEC_DEBUG_INCREMENTAL) return;
  const now = performance.now();
  process.stderr.write(`rulec: incremental: ${what} ${(now - lapped).toFixed(1)} ms (at ${now.toFixed(0)} ms)\n`);
  lapped = now;
}

/** Why the incremental path was not taken, on stderr when RULEC_DEBUG_INCREMENTAL is set. */
function skip(why: string): undefined {
  if (process.env.RULEC_DEBUG_INCREMENTAL) process.stderr.write(`rulec: incremental build not taken: ${why}\n`);
  return undefined;
}

function report(segments: readonly (readonly [string, string])[], tail: string): string {
  return segments.map(([, text]) => text).join('') + tail;
}

interface Blob {
  readonly size: number;
  read(offset: number, length: number): string;
  append(parts: readonly Buffer[]): boolean;
  close(): void;
}

/** The blob: read at offsets; new entries are appended (a state names them once it is written). */
function openBlob(file: string): Blob | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r+');
  } catch {
    return undefined;
  }
  const size = fstatSync(fd).size;
  return {
    size,
    read(offset, length) {
      const buffer = Buffer.alloc(length);
      let done = 0;
      while (done < length) {
        const n = readSync(fd, buffer, done, length - done, offset + done);
        if (n === 0) break;
        done += n;
      }
      return buffer.toString('utf8', 0, done);
    },
    append(parts) {
      try {
        let at = size;
        for (const part of parts)
          for (let done = 0; done < part.length;) {
            const n = writeSync(fd, part, done, part.length - done, at);
            done += n;
            at += n;
          }
        return true;
      } catch {
        return false;
      }
    },
    close() {
      closeSync(fd);
    },
  };
}
