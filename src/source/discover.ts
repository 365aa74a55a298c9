/**
 * Which files are rules: the paths a command was given, folders searched recursively for `.yml`/`.yaml` (hidden
 * entries and node_modules skipped). Problems with the paths themselves are diagnostics, so every command can refuse
 * before it reads or writes anything.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import '../diagnostics/frontend-codes.js';
import { expandGlobs } from './glob.js';

export interface Discovery {
  /** Rule files, sorted, without duplicates. */
  readonly files: string[];
  /** Paths that do not exist (RC030) and the like; errors mean the command must not go on. */
  readonly diagnostics: Diagnostic[];
}

const RULE_EXTENSIONS = /\.ya?ml$/i;

export function discoverRuleFiles(paths: readonly string[]): Discovery {
  const found = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (RULE_EXTENSIONS.test(entry.name) && (entry.isFile() || isFile(full))) found.add(full);
    }
  };
  // Glob patterns (`'rules/**/*.yml'`) become the paths they match before the walk (./glob.ts).
  for (const path of expandGlobs(paths)) {
    let isDir = false;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      diagnostics.push({ code: 'RC030', severity: 'error', message: `no such file or folder: '${path}'`, file: path });
      continue;
    }
    if (isDir) walk(path);
    else found.add(path);
  }
  return { files: [...found].sort(), diagnostics };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
