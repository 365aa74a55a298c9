/** rulec's version, from its package.json (the one file that says it), for `--version` and SARIF's tool entry. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function rulecVersion(): string {
  if (cached !== undefined) return cached;
  // From src/cli (sources) or lib/src/cli (compiled), the package root is the first folder up with package.json.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const data = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (data.name === 'rulec' && typeof data.version === 'string') return (cached = data.version);
    }
    dir = dirname(dir);
  }
  return (cached = '0.0.0');
}
