/**
 * The project configuration, `rulec.config.yml`: found from the current folder upwards (or given with --config),
 * checked against schema/config.schema.json and against what rulec has (targets, profiles, files), every problem
 * located in the file. Paths inside it are relative to the file.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import configSchema from '../../schema/config.schema.json' with { type: 'json' };
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import '../diagnostics/config-codes.js';
import { closest } from '../schema/suggest.js';
import type { Locator } from '../source/locator.js';
import { readSettingsDocument } from './document.js';

export const CONFIG_FILE_NAME = 'rulec.config.yml';
export const CONFIG_SCHEMA: Readonly<Record<string, unknown>> = configSchema;

/**
 * A placeholder as written: values, a file of values, or (per target) a target-native reference with optionally
 * its `column` and its `values` or `file` for inline expansion.
 */
export type PlaceholderSpec =
  readonly (string | number)[] | Readonly<Record<string, string | readonly (string | number)[]>>;

export interface TargetConfig {
  readonly profile?: string;
  /** Absolute paths. */
  readonly pipelines: readonly string[];
  readonly destination: Readonly<Record<string, unknown>>;
  readonly placeholders: Readonly<Record<string, PlaceholderSpec>>;
}

export interface ProjectConfig {
  readonly file: string;
  readonly dir: string;
  readonly locator: Locator;
  /** Absolute rule paths, when the file names them. */
  readonly rules?: readonly string[];
  /** Absolute output folder, when the file names it. */
  readonly out?: string;
  /** Targets in file order, when the file lists them. */
  readonly targets?: ReadonlyMap<string, TargetConfig>;
  readonly placeholders: Readonly<Record<string, PlaceholderSpec>>;
}

export interface LoadedConfig {
  readonly config?: ProjectConfig;
  readonly text: string;
  readonly diagnostics: readonly Diagnostic[];
}

/** `rulec.config.yml` in `from` or the nearest folder above it. */
export function findConfig(from: string): string | undefined {
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, CONFIG_FILE_NAME);
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

interface RawTarget {
  profile?: string;
  pipelines?: string[];
  destination?: Record<string, unknown>;
  placeholders?: Record<string, PlaceholderSpec>;
}

interface RawConfig {
  rules?: string | string[];
  out?: string;
  targets?: Record<string, RawTarget | null>;
  placeholders?: Record<string, PlaceholderSpec>;
}

export interface TargetInfo {
  readonly id: string;
  readonly profiles: readonly string[];
}

/** Reads and checks the configuration; `targets` is what rulec has, to check names against. */
export function loadConfig(file: string, targets: readonly TargetInfo[]): LoadedConfig {
  const read = readSettingsDocument(file, CONFIG_SCHEMA, 'configuration file');
  if (read.data === undefined || !read.locator) return { text: read.text, diagnostics: read.diagnostics };
  const locator = read.locator;
  const raw = read.data as RawConfig;
  const dir = dirname(resolve(file));
  const diagnostics: Diagnostic[] = [...read.diagnostics];
  const at = (
    code: string,
    message: string,
    path: readonly (string | number)[],
    part: 'key' | 'value',
    extra: Partial<Diagnostic> = {},
  ): void => {
    const span = locator.span(path, part);
    diagnostics.push({ code, severity: 'error', message, file, ...(span ? { span } : {}), ...extra });
  };
  const fileAt = (path: readonly (string | number)[], value: string, what: string): string => {
    const full = resolve(dir, value);
    if (!existsSync(full)) at('RC605', `${what} '${value}' does not exist (looked for ${full})`, path, 'value');
    return full;
  };
  const checkPlaceholders = (specs: Record<string, PlaceholderSpec>, path: readonly (string | number)[]): void => {
    for (const [name, spec] of Object.entries(specs))
      if (!Array.isArray(spec) && typeof (spec as Record<string, unknown>)['file'] === 'string')
        fileAt([...path, name, 'file'], (spec as Record<string, string>)['file']!, 'placeholder file');
  };

  const rules = raw.rules === undefined ? undefined : [raw.rules].flat().map((r) => resolve(dir, r));
  const out = raw.out === undefined ? undefined : resolve(dir, raw.out);
  const placeholders = raw.placeholders ?? {};
  checkPlaceholders(placeholders, ['placeholders']);
  let targetMap: Map<string, TargetConfig> | undefined;
  if (raw.targets) {
    targetMap = new Map();
    for (const [id, entry] of Object.entries(raw.targets)) {
      const info = targets.find((t) => t.id === id);
      if (!info) {
        const suggestion = closest(
          id,
          targets.map((t) => t.id),
        );
        at('RC603', `unknown target '${id}'`, ['targets', id], 'key', {
          ...(suggestion ? { label: `did you mean '${suggestion}'?` } : {}),
          notes: [`rulec's targets: ${targets.map((t) => t.id).join(', ')}`],
        });
        continue;
      }
      const t = entry ?? {};
      if (t.profile !== undefined && !info.profiles.includes(t.profile)) {
        const suggestion = closest(t.profile, info.profiles);
        at('RC604', `${id} has no profile '${t.profile}'`, ['targets', id, 'profile'], 'value', {
          ...(suggestion ? { label: `did you mean '${suggestion}'?` } : {}),
          notes: [
            info.profiles.length > 0
              ? `${id} profiles: ${info.profiles.join(', ')} (see \`rulec targets\`)`
              : `${id} has no built-in profile`,
          ],
        });
      }
      const pipelines = (t.pipelines ?? []).map((p, i) => fileAt(['targets', id, 'pipelines', i], p, 'pipeline file'));
      checkPlaceholders(t.placeholders ?? {}, ['targets', id, 'placeholders']);
      targetMap.set(id, {
        ...(t.profile !== undefined ? { profile: t.profile } : {}),
        pipelines,
        destination: t.destination ?? {},
        placeholders: t.placeholders ?? {},
      });
    }
  }
  const config: ProjectConfig = {
    file,
    dir,
    locator,
    ...(rules ? { rules } : {}),
    ...(out ? { out } : {}),
    ...(targetMap ? { targets: targetMap } : {}),
    placeholders,
  };
  return { config, text: read.text, diagnostics };
}
