/**
 * Issue 10 §6: a clean `npm ci` is quiet. npm 11 blocks dependency install scripts by default and warns about every
 * package whose scripts no `allowScripts` entry reviews; each such package in the lockfile must have an entry.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/run-rulec.js';

const read = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(REPO_ROOT, file), 'utf8')) as Record<string, unknown>;

describe('clean install', () => {
  it('reviews every locked dependency that has an install script (allowScripts)', () => {
    const lock = read('package-lock.json') as { packages: Record<string, { hasInstallScript?: boolean }> };
    const pkg = read('package.json') as { allowScripts?: Record<string, boolean> };
    const withScripts = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== '' && entry.hasInstallScript === true)
      .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
    expect(withScripts).toContain('esbuild');
    expect(withScripts.filter((name) => typeof pkg.allowScripts?.[name] !== 'boolean')).toEqual([]);
  });
});
