/**
 * A site: the project configuration and the user's pipeline files turned into one layered pipeline per target.
 *
 * Layers, lowest first (a higher layer wins): the built-in pack (`backends/<t>/pipeline/`), the profile chosen in
 * the configuration (`backends/<t>/profiles/<name>.yml`), the configuration's `destination` settings, the
 * configuration's `pipelines` files, then the `--pipeline` files. Placeholder values come from the configuration:
 * a target's own `placeholders` entry wins over the top-level one.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { ListReferenceKind } from '../backend/types.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import '../diagnostics/config-codes.js';
import { layerPipeline, withDestination } from '../pipeline/layer.js';
import { listProfiles, loadPipeline, profileFile } from '../pipeline/load.js';
import type { LogsourceMapping, Pipeline, PlaceholderSetting } from '../pipeline/types.js';
import type { PipelineFileRead } from '../pipeline/user.js';
import {
  knownDestinationKeys,
  layerConflicts,
  PIPELINE_SCHEMA,
  readPipelineFile,
  unknownDestinationKey,
} from '../pipeline/user.js';
import { closest } from '../schema/suggest.js';
import { updateText } from '../source/hash-text.js';
import type { PlaceholderSpec, ProjectConfig, TargetInfo } from './config.js';
import { findConfig, loadConfig } from './config.js';
import { readSettingsDocument } from './document.js';

/** What a site needs to know of a target (a Backend has all of it). */
export interface SiteTarget {
  readonly id: string;
  readonly root: string;
  /** Native placeholder references the target can render (e.g. `watchlist`), if any. */
  readonly placeholderReferences?: Readonly<Record<string, ListReferenceKind>>;
}

export interface SiteOptions {
  readonly cwd: string;
  /** `--config FILE`; otherwise `rulec.config.yml` is looked for from `cwd` upwards. */
  readonly configFile?: string;
  /** `--pipeline FILE`, in the order given. */
  readonly pipelineFiles?: readonly string[];
}

export interface Site {
  readonly config?: ProjectConfig;
  /** Target id → its layered pipeline, for the targets asked for. */
  readonly pipelines: Readonly<Record<string, Pipeline>>;
  /** Changes whenever anything that decides the output changes (cache key part). */
  readonly key: string;
  readonly diagnostics: readonly Diagnostic[];
  /** File → text, for code frames. */
  readonly sources: ReadonlyMap<string, string>;
}

export function targetInfos(targets: readonly SiteTarget[]): TargetInfo[] {
  return targets.map((t) => ({ id: t.id, profiles: listProfiles(t.root) }));
}

/** Reads the configuration (if any) alone: commands need it to know their default paths and targets. */
export function openConfig(
  targets: readonly SiteTarget[],
  options: SiteOptions,
): { config?: ProjectConfig; diagnostics: readonly Diagnostic[]; sources: Map<string, string> } {
  const sources = new Map<string, string>();
  if (options.configFile !== undefined && !existsSync(options.configFile))
    return {
      diagnostics: [
        {
          code: 'RC600',
          severity: 'error',
          message: `configuration file '${options.configFile}' does not exist`,
          file: options.configFile,
        },
      ],
      sources,
    };
  const file = options.configFile ?? findConfig(options.cwd);
  if (file === undefined) return { diagnostics: [], sources };
  const loaded = loadConfig(file, targetInfos(targets));
  sources.set(file, loaded.text);
  return { ...(loaded.config ? { config: loaded.config } : {}), diagnostics: loaded.diagnostics, sources };
}

function readValuesFile(file: string): string[] {
  // One value per line; blank lines and `#` comments skipped, so a list can be documented in place.
  return readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** Keys of a placeholder entry that give values rather than name a reference. */
const VALUE_KEYS = ['values', 'file'] as const;

/**
 * How `target` resolves each placeholder. A target's own entry wins over the top-level one; an own entry that
 * names only a reference keeps the top-level values, which the target expands where it cannot use the reference.
 */
function placeholderSettings(
  target: SiteTarget,
  config: ProjectConfig,
  diagnostics: Diagnostic[],
): Record<string, PlaceholderSetting> {
  const out: Record<string, PlaceholderSetting> = {};
  const file = config.file;
  const kinds = target.placeholderReferences ?? {};
  const locate = (path: readonly (string | number)[], part: 'key' | 'value' = 'value') => {
    const span = config.locator.span(path, part);
    return span ? { span } : {};
  };
  const error = (
    code: string,
    message: string,
    path: readonly (string | number)[],
    part: 'key' | 'value',
    notes?: string[],
  ) => diagnostics.push({ code, severity: 'error', message, file, ...locate(path, part), ...(notes ? { notes } : {}) });
  /** The entry's values (a list, `values:` or `file:`), undefined when it gives none or they are unusable. */
  const valuesOf = (name: string, spec: PlaceholderSpec, path: readonly (string | number)[]): string[] | undefined => {
    if (Array.isArray(spec)) return spec.map(String);
    const map = spec as Readonly<Record<string, unknown>>;
    if (Array.isArray(map['values'])) return (map['values'] as unknown[]).map(String);
    if (typeof map['file'] !== 'string') return undefined;
    let values: string[];
    try {
      values = readValuesFile(`${config.dir}/${map['file']}`);
    } catch {
      return undefined; // reported by the configuration check (RC605)
    }
    if (values.length === 0) {
      error('RC608', `placeholder file '${map['file']}' for %${name}% holds no value`, [...path, 'file'], 'value', [
        'one value per line; blank lines and lines starting with # are skipped',
      ]);
      return undefined;
    }
    return values;
  };
  const resolveSpec = (name: string, spec: PlaceholderSpec, path: readonly (string | number)[]): void => {
    const from = `${relative(config.dir, file) || file}:${path.join('.')}`;
    const map = Array.isArray(spec) ? {} : (spec as Readonly<Record<string, string>>);
    const valueKeys = VALUE_KEYS.filter((k) => map[k] !== undefined);
    const refKeys = Object.keys(map).filter((k) => k !== 'column' && !(VALUE_KEYS as readonly string[]).includes(k));
    if (valueKeys.length > 1 || refKeys.length > 1) {
      const twice = valueKeys.length > 1 ? valueKeys : refKeys;
      error(
        'RC613',
        valueKeys.length > 1
          ? `placeholder %${name}% gives its values twice ('${twice[0]}' and '${twice[1]}')`
          : `placeholder %${name}% names two references ('${twice[0]}' and '${twice[1]}')`,
        [...path, twice[1]!],
        'key',
        ['one reference per target, and the values either inline (values) or in a file'],
      );
      return;
    }
    const values = valuesOf(name, spec, path);
    const kind = refKeys[0];
    if (kind === undefined) {
      if (map['column'] !== undefined) {
        error(
          'RC607',
          `placeholder %${name}% for ${target.id} names a column but no reference`,
          [...path, 'column'],
          'key',
        );
        return;
      }
      if (values !== undefined) out[name] = { values, from: typeof map['file'] === 'string' ? map['file'] : from };
      return;
    }
    const info = Object.hasOwn(kinds, kind) ? kinds[kind] : undefined;
    if (info === undefined) {
      const supported = Object.keys(kinds);
      error('RC607', `${target.id} cannot resolve %${name}% through a ${kind}`, [...path, kind], 'key', [
        supported.length > 0
          ? `${target.id} references: ${supported.join(', ')}; or give the values (a list or a file)`
          : `${target.id} has no native reference: give the values (a list or a file)`,
      ]);
      return;
    }
    const listName = map[kind]!;
    if (!info.name.test(listName)) {
      error(
        'RC612',
        `${target.id} ${kind} name ${JSON.stringify(listName)} for %${name}% is not ${info.nameRule}`,
        [...path, kind],
        'value',
        [`the name is written into the ${target.id} query, so only these characters are accepted`],
      );
      return;
    }
    const column = map['column'];
    if (column !== undefined && (info.column === undefined || !info.column.test(column))) {
      error(
        info.column === undefined ? 'RC613' : 'RC612',
        info.column === undefined
          ? `a ${target.id} ${kind} has no column to choose (placeholder %${name}%)`
          : `column ${JSON.stringify(column)} of %${name}% is not a plain column name (letters, digits, _)`,
        [...path, 'column'],
        info.column === undefined ? 'key' : 'value',
      );
      return;
    }
    // Values of this entry, else those of the top-level entry (already resolved): the inline fallback.
    const inline = values ?? out[name]?.values;
    out[name] = {
      reference: { kind, name: listName, ...(column !== undefined ? { column } : {}) },
      ...(inline !== undefined ? { values: inline } : {}),
      from,
    };
  };
  for (const [name, spec] of Object.entries(config.placeholders)) resolveSpec(name, spec, ['placeholders', name]);
  const own = config.targets?.get(target.id)?.placeholders ?? {};
  for (const [name, spec] of Object.entries(own)) resolveSpec(name, spec, ['targets', target.id, 'placeholders', name]);
  return out;
}

/** The `--pipeline` files, each assigned to the target it names (or the only target built). */
function assignCliPipelines(
  files: readonly string[],
  targets: readonly SiteTarget[],
  ids: readonly string[],
  diagnostics: Diagnostic[],
  sources: Map<string, string>,
): Map<string, string[]> {
  const byTarget = new Map<string, string[]>();
  for (const file of files) {
    const read = readSettingsDocument(file, PIPELINE_SCHEMA, 'pipeline file');
    sources.set(file, read.text);
    if (!read.data || !read.locator) {
      diagnostics.push(...read.diagnostics);
      continue;
    }
    const named = (read.data as { target?: string }).target;
    let id: string | undefined = named;
    if (named !== undefined && !targets.some((t) => t.id === named)) {
      const span = read.locator.span(['target'], 'value');
      const suggestion = closest(
        named,
        targets.map((t) => t.id),
      );
      diagnostics.push({
        code: 'RC611',
        severity: 'error',
        message: `unknown target '${named}'`,
        file,
        ...(span ? { span } : {}),
        ...(suggestion ? { label: `did you mean '${suggestion}'?` } : {}),
      });
      continue;
    }
    if (id === undefined) {
      if (ids.length !== 1) {
        diagnostics.push({
          code: 'RC610',
          severity: 'error',
          message: `this pipeline does not say its target, and ${ids.length} targets are built (${ids.join(', ')})`,
          file,
          notes: ['add `target: <id>` at the top of the file, or build one target with -t'],
        });
        continue;
      }
      id = ids[0]!;
    }
    byTarget.set(id, [...(byTarget.get(id) ?? []), file]);
  }
  return byTarget;
}

/** Layers `files` (one layer) over `base`, reporting their problems; the base is returned when any has an error. */
function applyLayer(
  base: Pipeline,
  files: readonly string[],
  name: string,
  cwd: string,
  diagnostics: Diagnostic[],
  sources: Map<string, string>,
): Pipeline {
  const reads: PipelineFileRead[] = [];
  for (const file of files) {
    const read = readPipelineFile(file, base);
    sources.set(file, read.text);
    diagnostics.push(...read.diagnostics);
    const named = (read.doc as { target?: string } | undefined)?.target;
    if (read.doc && named !== undefined && named !== base.target) {
      const span = read.locator?.span(['target'], 'value');
      diagnostics.push({
        code: 'RC611',
        severity: 'error',
        message: `this pipeline is for '${named}' but is given for '${base.target}'`,
        file,
        ...(span ? { span } : {}),
      });
      continue;
    }
    reads.push(read);
  }
  const conflicts = layerConflicts(reads);
  diagnostics.push(...conflicts);
  if (conflicts.length > 0) return base;
  let out = base;
  for (const read of reads)
    if (read.doc)
      out = layerPipeline(out, read.doc, relative(cwd, read.file) || read.file, `${name} ${relative(cwd, read.file)}`);
  return out;
}

/**
 * The layered pipeline of each target in `ids`. Problems are diagnostics (located in the file at fault); when
 * there is any error the caller must stop before compiling or writing anything.
 */
export function resolveSite(
  targets: readonly SiteTarget[],
  ids: readonly string[],
  options: SiteOptions,
  opened: ReturnType<typeof openConfig>,
): Site {
  const diagnostics: Diagnostic[] = [...opened.diagnostics];
  const sources = new Map(opened.sources);
  const config = opened.config;
  const cli = assignCliPipelines(options.pipelineFiles ?? [], targets, ids, diagnostics, sources);
  const pipelines: Record<string, Pipeline> = {};
  for (const id of ids) {
    const target = targets.find((t) => t.id === id);
    if (!target) continue;
    const builtin = loadPipeline(target.root, id);
    const settings = config?.targets?.get(id);
    let pipeline = builtin;
    const profileDocs = new Map<string, Pipeline>();
    for (const name of listProfiles(target.root)) {
      const file = profileFile(target.root, name)!;
      const read = readPipelineFile(file, builtin);
      sources.set(file, read.text);
      diagnostics.push(...read.diagnostics);
      if (read.doc)
        profileDocs.set(
          name,
          layerPipeline(builtin, read.doc, `backends/${id}/profiles/${name}.yml`, `profile ${name}`),
        );
    }
    if (settings?.profile !== undefined && profileDocs.has(settings.profile)) {
      pipeline = { ...profileDocs.get(settings.profile)!, profile: settings.profile };
    }
    const alternatives: LogsourceMapping[] = [];
    for (const [name, p] of profileDocs) if (name !== settings?.profile) alternatives.push(...p.logsources);
    if (settings?.profile !== undefined) alternatives.push(...builtin.logsources);
    if (config && settings && Object.keys(settings.destination).length > 0) {
      const known = knownDestinationKeys(pipeline);
      const bad = Object.keys(settings.destination).filter((k) => !known.has(k));
      for (const key of bad)
        diagnostics.push(
          unknownDestinationKey('RC606', key, ['targets', id, 'destination'], known, config.locator, id),
        );
      if (bad.length === 0)
        pipeline = withDestination(pipeline, settings.destination, relative(options.cwd, config.file) || config.file);
    }
    if (settings && settings.pipelines.length > 0)
      pipeline = applyLayer(pipeline, settings.pipelines, 'configuration', options.cwd, diagnostics, sources);
    const own = cli.get(id) ?? [];
    if (own.length > 0) pipeline = applyLayer(pipeline, own, '--pipeline', options.cwd, diagnostics, sources);
    pipelines[id] = Object.freeze({
      ...pipeline,
      alternatives,
      placeholders: config ? placeholderSettings(target, config, diagnostics) : {},
    });
  }
  const key = updateText(createHash('sha256'), JSON.stringify(ids.map((id) => pipelines[id] ?? null))).digest('hex');
  return { ...(config ? { config } : {}), pipelines, key, diagnostics, sources };
}
