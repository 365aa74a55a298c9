/** Locates rulec's own folders (backends/, schema/) whether running from src/ (tests) or lib/ (built). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The folder holding rulec's package.json. */
export function packageRoot(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string };
      if (pkg.name === 'rulec') return (cached = dir);
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('rulec: cannot find the package root');
    dir = parent;
  }
}

/** `backends/<id>/` inside the package: pipeline data and templates are read from here. */
export function backendRoot(id: string): string {
  return join(packageRoot(), 'backends', id);
}
