/**
 * User pipelines and profiles: pipeline files read with located diagnostics (they are the user's input, unlike the
 * built-in packs), checked against schema/pipeline.schema.json and against the target's destination keys.
 */
import pipelineSchema from '../../schema/pipeline.schema.json' with { type: 'json' };
import { readSettingsDocument } from '../config/document.js';
import type { SettingsDocument } from '../config/document.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import '../diagnostics/pipeline-codes.js';
import { closest } from '../schema/suggest.js';
import type { Locator } from '../source/locator.js';
import type { PipelineDoc } from './layer.js';
import type { Pipeline } from './types.js';

export const PIPELINE_SCHEMA: Readonly<Record<string, unknown>> = pipelineSchema;

export interface PipelineFileRead extends SettingsDocument {
  readonly doc?: PipelineDoc;
}

/** Every destination key the target's data and code know: those its entries use plus the declared ones. */
export function knownDestinationKeys(pipeline: Pipeline): Set<string> {
  const keys = new Set(pipeline.destinationKeys ?? []);
  for (const entry of pipeline.logsources) for (const key of Object.keys(entry.destination)) keys.add(key);
  for (const key of Object.keys(pipeline.fallback)) keys.add(key);
  return keys;
}

/** An unknown destination key, located on the key, with "did you mean". */
export function unknownDestinationKey(
  code: string,
  key: string,
  path: readonly (string | number)[],
  known: ReadonlySet<string>,
  locator: Locator,
  target: string,
): Diagnostic {
  const suggestion = closest(key, known);
  const span = locator.span([...path, key], 'key');
  return {
    code,
    severity: 'error',
    message: `unknown ${target} destination key '${key}'`,
    file: locator.file,
    ...(span ? { span } : {}),
    ...(suggestion ? { label: `did you mean '${suggestion}'?` } : {}),
    notes: [`${target} destinations understand: ${[...known].sort().join(', ')}`],
  };
}

/** Reads one pipeline file meant to be layered over `base` (the target's pipeline below it). */
export function readPipelineFile(file: string, base: Pipeline): PipelineFileRead {
  const read = readSettingsDocument(file, PIPELINE_SCHEMA, `${base.target} pipeline file`);
  if (read.data === undefined || !read.locator) return read;
  const doc = read.data as PipelineDoc;
  const locator = read.locator;
  const diagnostics: Diagnostic[] = [...read.diagnostics];
  const known = knownDestinationKeys(base);
  const existing = new Set(base.logsources.map((e) => e.id));
  const seen = new Set<string>();
  for (const key of Object.keys(doc.fallback ?? {}))
    if (!known.has(key))
      diagnostics.push(unknownDestinationKey('RC410', key, ['fallback'], known, locator, base.target));
  (doc.logsources ?? []).forEach((entry, i) => {
    if (seen.has(entry.id)) {
      const span = locator.span(['logsources', i, 'id']);
      diagnostics.push({
        code: 'RC409',
        severity: 'error',
        message: `logsource id '${entry.id}' is listed twice in this file`,
        file,
        ...(span ? { span } : {}),
        notes: ['one entry per id and file: merge the two entries'],
      });
    }
    seen.add(entry.id);
    if (!existing.has(entry.id) && entry.when === undefined) {
      const span = locator.span(['logsources', i, 'id']);
      const suggestion = closest(entry.id, existing);
      diagnostics.push({
        code: 'RC408',
        severity: 'error',
        message: `'${entry.id}' is not a ${base.target} logsource id, and a new entry needs a 'when' map`,
        file,
        ...(span ? { span } : {}),
        ...(suggestion ? { label: `did you mean '${suggestion}'?` } : {}),
        notes: ['`rulec explain RULE --target T` shows which entry a rule uses'],
      });
    }
    for (const key of Object.keys(entry.destination ?? {}))
      if (!known.has(key))
        diagnostics.push(
          unknownDestinationKey('RC410', key, ['logsources', i, 'destination'], known, locator, base.target),
        );
  });
  if (diagnostics.some((d) => d.severity === 'error')) return { ...read, diagnostics };
  return { ...read, diagnostics, doc };
}

/**
 * Files of one layer (the configuration's `pipelines`, or the `--pipeline` options) must agree: when two map the
 * same field of the same entry to different target fields, nothing says which one the user meant.
 */
export function layerConflicts(files: readonly PipelineFileRead[]): Diagnostic[] {
  const claims = new Map<string, { value: string; file: string }>();
  const out: Diagnostic[] = [];
  for (const read of files) {
    if (!read.doc || !read.locator) continue;
    const check = (scope: string, field: string, target: unknown, path: (string | number)[]): void => {
      const value = JSON.stringify(target);
      const key = `${scope}\0${field}`;
      const claim = claims.get(key);
      if (claim && claim.file !== read.file && claim.value !== value) {
        const span = read.locator!.span(path, 'value');
        out.push({
          code: 'RC411',
          severity: 'error',
          message: `field '${field}' is mapped to ${value} here and to ${claim.value} in ${claim.file}`,
          file: read.file,
          ...(span ? { span } : {}),
          notes: ['files of the same layer must agree; put the one that should win in a later layer (--pipeline)'],
        });
      } else if (!claim) claims.set(key, { value, file: read.file });
    };
    for (const [field, target] of Object.entries(read.doc.fields ?? {})) check('', field, target, ['fields', field]);
    (read.doc.logsources ?? []).forEach((entry, i) => {
      for (const [field, target] of Object.entries(entry.fields ?? {}))
        check(entry.id, field, target, ['logsources', i, 'fields', field]);
    });
  }
  return out;
}
