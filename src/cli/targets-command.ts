/** `rulec targets`: each target, its built-in profiles (with what they are for) and the one the configuration picks. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { ProjectConfig } from '../config/config.js';
import { listProfiles, profileFile } from '../pipeline/load.js';
import type { CliIo } from './io.js';
import type { Registry } from './targets.js';

function description(file: string): string {
  const data = parse(readFileSync(file, 'utf8')) as { description?: unknown } | null;
  return typeof data?.description === 'string' ? data.description.replace(/\s+/g, ' ') : '';
}

export function targetsCommand(registry: Registry, io: CliIo, config?: ProjectConfig): number {
  for (const backend of registry) {
    const chosen = config?.targets?.get(backend.id)?.profile;
    const built = !config?.targets || config.targets.has(backend.id);
    io.stdout(`${backend.id}  ${backend.title}${built ? '' : '  (not built by the configuration)'}\n`);
    io.stdout(
      `  ${chosen === undefined ? '*' : ' '} built-in  the default pipeline (backends/${backend.id}/pipeline/)\n`,
    );
    for (const name of listProfiles(backend.root))
      io.stdout(`  ${chosen === name ? '*' : ' '} ${name}  ${description(profileFile(backend.root, name)!)}\n`);
  }
  return 0;
}
