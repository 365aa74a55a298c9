/**
 * Which files are rules: the paths a command was given, folders searched recursively for `.yml`/`.yaml` (hidden
 * entries, node_modules and `<rule>.events/` folders of test events skipped). Problems with the paths themselves
 * are diagnostics, so every command can refuse before it reads or writes anything.
 *
 * A rules folder is often someone else's (a pull request, a downloaded pack), so the walk trusts nothing in it:
 * - a symlink is followed only when its target, fully resolved, stays inside the folder that was given (RC032
 *   otherwise: `ln -s /etc/shadow rules/a.yml` must not put that file's lines into code frames);
 * - dangling links (RC033) and loops (RC034) are reported, and a folder is never walked twice, so the walk ends;
 * - a FIFO, socket or device named like a rule is reported and never opened (RC035): opening a FIFO blocks;
 * - a folder that cannot be listed is reported (RC036) instead of crashing the command.
 * A path named on the command line is the user's own choice and is read wherever it points, if it is a regular file.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import type { Dirent, Stats } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import '../diagnostics/frontend-codes.js';
import { expandGlobs } from './glob.js';

export interface Discovery {
  /** Rule files, sorted, without duplicates. */
  readonly files: string[];
  /**
   * Paths that do not exist (RC030) and the like; errors mean the command must not go on. Warnings (RC032–RC036)
   * name entries of a folder that were skipped.
   */
  readonly diagnostics: Diagnostic[];
}

/**
 * What a walk listed, for a caller that lists again only the folders whose mtime changed since (an in-place build,
 * build/incremental.ts): each folder's mtime is taken before its listing, so a change made meanwhile shows.
 */
export interface WalkRecord {
  /** When the walk began (ms since the epoch). */
  at: number;
  /** Every folder listed and its mtime. */
  readonly folders: [string, number][];
  /**
   * The listings are not the whole story: a glob pattern, a file or a path that is not there was given, a symlink
   * was met, or a given folder is reached through one.
   */
  partial: boolean;
}

const RULE_EXTENSIONS = /\.ya?ml$/i;

/** Folders of a rule's test events (`o365_x.events/`), next to the rule; their YAML files are events, not rules. */
export const TEST_EVENTS_FOLDER = /\.events$/i;

export function discoverRuleFiles(paths: readonly string[], record?: WalkRecord): Discovery {
  if (record) record.at = Date.now();
  const found = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  const add = (path: string, real: string): void => {
    // The same file reached under two names (a symlink inside the folder) is one rule, kept under its first name.
    if (!found.has(real)) found.set(real, path);
  };
  const warn = (code: string, message: string, file: string): void => {
    diagnostics.push({ code, severity: 'warning', message, file });
  };

  // Glob patterns (`'rules/**/*.yml'`) become the paths they match before the walk (./glob.ts).
  const expanded = expandGlobs(paths);
  if (record && (expanded.length !== paths.length || expanded.some((path, i) => path !== paths[i])))
    record.partial = true;
  for (const path of expanded) {
    let stat: Stats;
    try {
      stat = statSync(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ELOOP' ? 'its symlinks form a loop' : code === 'ENOENT' ? undefined : code;
      if (record) record.partial = true;
      diagnostics.push({
        code: 'RC030',
        severity: 'error',
        message: why ? `cannot open '${path}': ${why}` : `no such file or folder: '${path}'`,
        file: path,
      });
      continue;
    }
    if (stat.isDirectory()) walkFolder(path, add, warn, record);
    else if (stat.isFile()) {
      if (record) record.partial = true;
      add(path, realOrSelf(path));
    } else warn('RC035', `'${path}' is ${kindOf(stat)}, not a rule file; it is not read`, path);
  }
  return { files: [...found.values()].sort(), diagnostics };
}

function walkFolder(
  given: string,
  add: (path: string, real: string) => void,
  warn: (code: string, message: string, file: string) => void,
  record?: WalkRecord,
): void {
  const root = realOrSelf(given);
  if (record && root !== resolve(given)) record.partial = true;
  const walking = new Set<string>();
  const walked = new Set<string>();
  const walk = (dir: string, realDir: string): void => {
    if (walking.has(realDir)) {
      warn('RC034', `'${dir}' leads back to a folder that contains it (a symlink loop); it is not walked again`, dir);
      return;
    }
    // Reached twice without a loop (two links to one folder): its rules are already counted.
    if (walked.has(realDir)) return;
    walking.add(realDir);
    walked.add(realDir);
    let entries: Dirent[];
    try {
      if (record) record.folders.push([dir, statSync(dir).mtimeMs]);
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      warn('RC036', `folder '${dir}' cannot be read (${errnoOf(error)}); its rules are skipped`, dir);
      walking.delete(realDir);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = join(dir, entry.name);
      const named = RULE_EXTENSIONS.test(entry.name);
      if (entry.isSymbolicLink()) {
        if (record) record.partial = true;
        let real: string;
        try {
          real = realpathSync(full);
        } catch (error) {
          const code = errnoOf(error);
          if (code === 'ELOOP') warn('RC034', `symlink '${full}' is part of a loop; it is not followed`, full);
          else warn('RC033', `symlink '${full}' points to nothing (${code}); it is skipped`, full);
          continue;
        }
        let stat: Stats;
        try {
          stat = statSync(real);
        } catch (error) {
          warn('RC033', `symlink '${full}' cannot be followed (${errnoOf(error)}); it is skipped`, full);
          continue;
        }
        if (!stat.isDirectory() && !named) continue;
        if (!isInside(root, real)) {
          warn('RC032', `symlink '${full}' leads outside '${given}'; it is not followed`, full);
          continue;
        }
        if (stat.isDirectory()) {
          if (!TEST_EVENTS_FOLDER.test(entry.name)) walk(full, real);
        } else if (stat.isFile()) add(full, real);
        else warn('RC035', `'${full}' is ${kindOf(stat)}, not a rule file; it is not read`, full);
      } else if (entry.isDirectory()) {
        if (!TEST_EVENTS_FOLDER.test(entry.name)) walk(full, join(realDir, entry.name));
      } else if (named) {
        if (entry.isFile()) add(full, join(realDir, entry.name));
        else warn('RC035', `'${full}' is ${specialKind(entry)}, not a rule file; it is not read`, full);
      }
    }
    walking.delete(realDir);
  };
  walk(given, root);
}

/** Whether `path` is `root` itself or below it (both real paths). */
function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function kindOf(stat: Stats | Dirent): string {
  if (stat.isDirectory()) return 'a folder';
  return specialKind(stat);
}

function specialKind(stat: Stats | Dirent): string {
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'a special file';
}

function errnoOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? 'unknown error';
}
