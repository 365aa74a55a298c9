/** Reads a target's pipeline data: every `backends/<target>/pipeline/*.yml`, merged in file-name order. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readPackageYaml } from '../prebuilt/yaml-snapshot.js';
import type { LogsourceMapping, Pipeline } from './types.js';

interface PipelineFile {
  fields?: Record<string, string | string[]>;
  logsources?: LogsourceMapping[];
  fallback?: Record<string, unknown>;
  destinationKeys?: string[];
  ruleOverrides?: Record<string, 'select' | 'replace'>;
}

function yamlFiles(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
    : [];
}

/** Errors here are mistakes in rulec's own data, so they throw with the file name. */
export function loadPipeline(root: string, target: string): Pipeline {
  const dir = join(root, 'pipeline');
  const fields: Record<string, string | readonly string[]> = {};
  const logsources: LogsourceMapping[] = [];
  let fallback: Record<string, unknown> = {};
  const destinationKeys: string[] = [];
  const ruleOverrides: Record<string, 'select' | 'replace'> = {};
  const ids = new Set<string>();
  for (const file of yamlFiles(dir)) {
    const data = (readPackageYaml(join(dir, file)) ?? {}) as PipelineFile;
    Object.assign(fields, data.fields ?? {});
    if (data.fallback) fallback = { ...fallback, ...data.fallback };
    destinationKeys.push(...(data.destinationKeys ?? []));
    Object.assign(ruleOverrides, data.ruleOverrides ?? {});
    for (const entry of data.logsources ?? []) {
      if (typeof entry.id !== 'string' || typeof entry.when !== 'object' || entry.when === null)
        throw new Error(`${target} pipeline ${file}: every logsource needs an id and a when map`);
      if (ids.has(entry.id)) throw new Error(`${target} pipeline ${file}: duplicate logsource id ${entry.id}`);
      ids.add(entry.id);
      logsources.push({
        ...entry,
        destination: entry.destination ?? {},
        from: [`backends/${target}/pipeline/${file}`],
      });
    }
  }
  return Object.freeze({
    target,
    fields: Object.freeze(fields),
    logsources: Object.freeze(logsources),
    fallback,
    destinationKeys,
    ruleOverrides,
    layers: ['built-in'],
  });
}

/** The built-in profiles of a target: `backends/<target>/profiles/<name>.yml`, by name. */
export function listProfiles(root: string): string[] {
  return yamlFiles(join(root, 'profiles')).map((f) => f.replace(/\.ya?ml$/, ''));
}

export function profileFile(root: string, name: string): string | undefined {
  for (const ext of ['yml', 'yaml']) {
    const file = join(root, 'profiles', `${name}.${ext}`);
    if (existsSync(file)) return file;
  }
  return undefined;
}
