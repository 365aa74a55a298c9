/**
 * Which folders `rulec build --out` may replace, and the record it keeps inside them.
 *
 * A build replaces its output folder as a whole (atomic.ts), so it must only ever replace a folder it made: one
 * holding the record file `.rulec-output` (written by every build), an empty or missing one, or a folder from
 * before the record existed whose every entry has the shape of rulec's output (target folders of artifact files).
 * Anything else — a repository, a home folder, `--out .` — is refused before anything is read below it or
 * written, and so are file system roots and kernel folders, which are never walked at all.
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { parse, resolve, sep } from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import '../diagnostics/build-codes.js';

/** The record file at the top of every output folder. */
export const RECORD_FILE = '.rulec-output';

/** Kernel and device folders: a build never lists, reads or writes anything below them. */
const SYSTEM_FOLDERS = ['/proc', '/sys', '/dev'];

/** Artifact file names as the targets write them (one level below the target folder). */
const ARTIFACT_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*\.(json|ndjson|js|yaml|yml|conf)$/;

export interface RuleEntry {
  /** sha256 of the rule file's text when it was built; the text is in `sources`. */
  readonly source: string;
  /** Files it produced, relative to the target folder. */
  readonly files: readonly string[];
  /** Titles the build lengthened to keep them unique, by document index. */
  readonly titles?: Readonly<Record<string, string>>;
}

/**
 * `entry` with the files a document of the rule file wrote now, and its title when the build lengthened it (so that
 * a later build that keeps this rule combines it under the name its files carry).
 */
export function withDocumentFiles(
  entry: RuleEntry,
  written: readonly string[],
  document: { readonly documentIndex: number; readonly title: string },
  renamed: boolean,
): RuleEntry {
  const titles = { ...entry.titles };
  if (renamed) titles[String(document.documentIndex)] = document.title;
  return {
    source: entry.source,
    // concat makes an array of the exact length: a spread grows one to room for 17 (12,564 entries of the corpus's
    // record held 2 MB of room that way until the record was written).
    files: entry.files.concat(written),
    ...(Object.keys(titles).length > 0 ? { titles } : {}),
  };
}

export interface TargetRecord {
  /** Rule file (relative to the output folder, `/`-separated) → what it produced for this target. */
  readonly rules: Readonly<Record<string, RuleEntry>>;
  /** Files combining every rule of the target (rebuilt by every build of the target). */
  readonly bundles: readonly string[];
}

export interface OutputRecord {
  readonly generator: 'rulec';
  readonly format: 1;
  readonly targets: Readonly<Record<string, TargetRecord>>;
  /** sha256 → rule file text, so combined files can be rebuilt for rules a scoped build does not rebuild. */
  readonly sources: Readonly<Record<string, string>>;
}

export const EMPTY_RECORD: OutputRecord = { generator: 'rulec', format: 1, targets: {}, sources: {} };

/**
 * Checks that `out` (absolute) may be replaced. Reads at most the folder's own listing and its target folders'
 * listings. `targetIds` are the registered targets (the only folders rulec writes). `asLeft` holds the mtimes a
 * build that checked and wrote this folder left its target folders with (build/incremental.ts): a target folder
 * still of that mtime had no entry added, removed or replaced since, so its listing (15,458 entries for the corpus,
 * 35 ms) is not read again.
 */
export function checkOutputFolder(
  out: string,
  targetIds: readonly string[],
  asLeft?: ReadonlyMap<string, number>,
): Diagnostic[] {
  const refuse = (code: 'RC909' | 'RC910', message: string): Diagnostic[] => [
    { code, severity: 'error', message, file: out },
  ];
  const absolute = resolve(out);
  if (absolute === parse(absolute).root)
    return refuse('RC910', `refusing to write the output to '${out}', a file system root`);
  for (const system of SYSTEM_FOLDERS)
    if (absolute === system || absolute.startsWith(`${system}${sep}`))
      return refuse('RC910', `refusing to write the output to '${out}', inside the system folder ${system}`);
  let entries: string[];
  try {
    const stat = lstatSync(absolute);
    if (stat.isSymbolicLink()) return refuse('RC909', `refusing to replace '${out}': it is a symbolic link`);
    if (!stat.isDirectory()) return refuse('RC909', `refusing to replace '${out}': it is not a folder`);
    entries = readdirSync(absolute).sort();
  } catch {
    // Missing: the build creates it. Anything else (a file where a folder must be) fails the write, reported there.
    return [];
  }
  if (entries.length === 0) return [];
  const hasRecord = entries.includes(RECORD_FILE);
  const targets = new Set(targetIds);
  const foreign = (entry: string): Diagnostic[] =>
    refuse(
      'RC909',
      `refusing to replace '${out}': it was not created by rulec (${hasRecord ? '' : `no ${RECORD_FILE}, `}it holds '${entry}'); give --out a new or empty folder`,
    );
  for (const entry of entries) {
    if (entry === RECORD_FILE) continue;
    const full = `${absolute}${sep}${entry}`;
    const stat = lstatSync(full);
    if (targets.has(entry) && stat.isDirectory()) {
      if (hasRecord) {
        if (asLeft?.get(entry) === stat.mtimeMs) continue;
        // Ours, but a repository or a link inside would be copied through or followed: not a plain output. The
        // entries' types come with the listing (Node stats only those the file system leaves untyped): an lstat
        // of each of the corpus's 15,458 files cost 70 ms of every build.
        const odd = readdirSync(full, { withFileTypes: true }).find(
          (dirent) => dirent.name === '.git' || dirent.isSymbolicLink(),
        );
        if (odd !== undefined) return foreign(`${entry}/${odd.name}`);
        continue;
      }
      // A folder from before the record: every file in it must be one a target writes.
      for (const name of readdirSync(full).sort()) {
        const inner = lstatSync(`${full}${sep}${name}`);
        if (!inner.isFile() || !ARTIFACT_NAME.test(name)) return foreign(`${entry}/${name}`);
      }
      continue;
    }
    // With the record, plain files beside the target folders (a README, .gitattributes, .DS_Store) are kept;
    // folders, links and a `.git` file (a submodule or worktree) are not ours.
    if (hasRecord && stat.isFile() && entry !== '.git') continue;
    return foreign(stat.isDirectory() ? `${entry}/` : entry);
  }
  return [];
}

/** Parses the record text; a malformed one is an RC915 error (the folder is rulec's, but its record is not). */
export function parseRecord(text: string | undefined, out: string): OutputRecord | Diagnostic {
  if (text === undefined) return EMPTY_RECORD;
  try {
    const data = JSON.parse(text) as Partial<OutputRecord>;
    if (data.generator === 'rulec' && data.format === 1 && isObject(data.targets) && isObject(data.sources))
      return data as OutputRecord;
  } catch {
    // Reported below.
  }
  return {
    code: 'RC915',
    severity: 'error',
    message: `${RECORD_FILE} in '${out}' is not a record rulec can read: remove the folder or restore the file`,
    file: `${out}${sep}${RECORD_FILE}`,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The record as written: keys sorted, one rule per line, so diffs of a committed output stay readable. */
export function renderRecord(record: OutputRecord): string {
  const parts: string[] = [];
  writeRecord(
    record,
    Object.keys(record.sources),
    (hash) => record.sources[hash]!,
    (text) => parts.push(text),
  );
  return parts.join('');
}

/**
 * `renderRecord` written part by part: the rule texts (`hashes`, by sha256) are asked for one at a time, so a
 * streaming build (stream.ts) writes a record of megabytes without holding it or the texts.
 */
export function writeRecord(
  record: Pick<OutputRecord, 'targets'>,
  hashes: readonly string[],
  textOf: (hash: string) => string,
  write: (text: string) => void,
): void {
  const byKey = <T>([a]: [string, T], [b]: [string, T]): number => (a < b ? -1 : a > b ? 1 : 0);
  const sorted = <T>(object: Readonly<Record<string, T>>): [string, T][] => Object.entries(object).sort(byKey);
  const line = (text: string): void => write(`${text}\n`);
  for (const text of ['{', '  "generator": "rulec",', '  "format": 1,', '  "targets": {']) line(text);
  const targets = sorted(record.targets);
  targets.forEach(([id, target], t) => {
    line(`    ${JSON.stringify(id)}: {`);
    line(`      "bundles": ${JSON.stringify([...target.bundles].sort())},`);
    line('      "rules": {');
    const rules = sorted(target.rules);
    rules.forEach(([file, entry], r) => {
      const ordered = {
        source: entry.source,
        files: [...entry.files].sort(),
        ...(entry.titles && Object.keys(entry.titles).length > 0 ? { titles: entry.titles } : {}),
      };
      line(`        ${JSON.stringify(file)}: ${JSON.stringify(ordered)}${r < rules.length - 1 ? ',' : ''}`);
    });
    line('      }');
    line(`    }${t < targets.length - 1 ? ',' : ''}`);
  });
  line('  },');
  line('  "sources": {');
  const sources = [...hashes].sort();
  sources.forEach((hash, i) =>
    line(`    ${JSON.stringify(hash)}: ${JSON.stringify(textOf(hash))}${i < sources.length - 1 ? ',' : ''}`),
  );
  line('  }');
  line('}');
}

/** The record's text inside a tree read by `readTree`, if any. */
export function recordText(tree: ReadonlyMap<string, string>): string | undefined {
  return tree.get(RECORD_FILE);
}

export function readRecordFile(out: string): string | undefined {
  try {
    return readFileSync(`${out}${sep}${RECORD_FILE}`, 'utf8');
  } catch {
    return undefined;
  }
}
