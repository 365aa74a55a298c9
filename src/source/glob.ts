/**
 * Glob patterns on the command line (`'rules/**\/*.yml'`, quoted so the shell leaves them to rulec, as on Windows
 * where no shell expands them): expanded into paths before rule discovery walks them.
 *
 * Node 20 has no `fs.globSync` (it arrived in Node 22) and rulec has no runtime dependency for it, so this is a
 * small matcher for the common syntax: `*` and `?` within one path segment, `**` for any number of segments,
 * `[abc]`/`[!a-z]` classes and `{a,b}` alternatives. Hidden entries and node_modules are not searched by `*` or
 * `**`, as folders given by name are not.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const MAGIC = /[*?[{]/;

/** Whether `path` is a pattern to expand: it has glob syntax and does not name an existing file as written. */
export function isGlob(path: string): boolean {
  if (!MAGIC.test(path)) return false;
  try {
    statSync(path);
    return false;
  } catch {
    return true;
  }
}

/** A regular expression for one path pattern (segments separated by `/`). */
export function globToRegExp(pattern: string): RegExp {
  let out = '';
  let braces = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        const slash = pattern[i + 2] === '/';
        // `**/` matches zero or more whole segments; a trailing `**` anything below.
        out += slash ? '(?:[^/.][^/]*/)*' : '(?:[^/.][^/]*(?:/[^/.][^/]*)*)?';
        i += slash ? 2 : 1;
      } else {
        // A `*` that starts a segment does not match hidden entries.
        const start = i === 0 || pattern[i - 1] === '/';
        out += start ? '(?:[^/.][^/]*)?' : '[^/]*';
      }
    } else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) out += '\\[';
      else {
        let body = pattern.slice(i + 1, end).replace(/\\/g, '\\\\');
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        out += `[${body}]`;
        i = end;
      }
    } else if (c === '{') {
      braces++;
      out += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      out += ')';
    } else if (c === ',' && braces > 0) out += '|';
    else out += c.replace(/[.+^$()|\\\]{}]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/** The folder to search from: the segments before the first one with glob syntax (`.` when there are none). */
function baseOf(pattern: string): { base: string; rest: string } {
  const segments = pattern.split('/');
  const first = segments.findIndex((s) => MAGIC.test(s));
  const fixed = segments.slice(0, first);
  const base = fixed.length === 0 ? '.' : fixed.join('/') === '' ? '/' : fixed.join('/');
  return { base, rest: segments.slice(first).join('/') };
}

/** Entries under `base` whose path below it matches `rest`, sorted; folders and files alike. */
export function expandGlob(pattern: string): string[] {
  const normalised = pattern.replace(/\\/g, '/');
  const { base, rest } = baseOf(normalised);
  const matcher = globToRegExp(rest);
  const deep = rest.includes('**') || rest.includes('/');
  const found: string[] = [];
  const walk = (dir: string, relative: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const rel = relative === '' ? entry.name : `${relative}/${entry.name}`;
      const full = base === '.' ? rel : join(base, rel);
      if (matcher.test(rel)) found.push(full);
      if (deep && (entry.isDirectory() || (entry.isSymbolicLink() && isDirectory(full))))
        walk(join(dir, entry.name), rel);
    }
  };
  walk(base, '');
  return found.sort();
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * `paths` with each glob pattern replaced by what it matches. A pattern that matches nothing is kept as written,
 * so discovery reports it as a path that does not exist.
 */
export function expandGlobs(paths: readonly string[]): string[] {
  return paths.flatMap((p) => {
    if (!isGlob(p)) return [p];
    const matches = expandGlob(p);
    return matches.length > 0 ? matches : [p];
  });
}
