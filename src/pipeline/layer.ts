/**
 * Layering: a pipeline file (a profile, a user pipeline) applied over the pipeline below it. An entry whose id the
 * lower layers have changes that entry (key by key, or whole with `replace: true`); a new id adds an entry that
 * is tried before the lower layers' entries, so on equal specificity the higher layer wins.
 */
import type { LogsourceMapping, Pipeline } from './types.js';

type FieldMap = Readonly<Record<string, string | readonly string[]>>;

/** One logsource entry as written in a pipeline file (everything but `id` optional when it changes an entry). */
export interface EntryDoc {
  readonly id: string;
  readonly replace?: boolean;
  readonly when?: Readonly<Record<string, string>>;
  readonly destination?: Readonly<Record<string, unknown>>;
  readonly condition?: unknown;
  readonly fields?: FieldMap;
  readonly values?: NonNullable<LogsourceMapping['values']>;
  readonly fieldTypes?: Readonly<Record<string, string>>;
  readonly fieldDiagnostics?: NonNullable<LogsourceMapping['fieldDiagnostics']>;
  readonly unmapped?: 'keep' | 'refuse';
  readonly missing?: readonly string[];
  readonly notes?: string;
}

/** A pipeline file's data, already checked against schema/pipeline.schema.json. */
export interface PipelineDoc {
  readonly description?: string;
  readonly fields?: FieldMap;
  readonly fallback?: Readonly<Record<string, unknown>>;
  readonly logsources?: readonly EntryDoc[];
}

function fieldSources(fields: FieldMap | undefined, file: string): Record<string, string> {
  return Object.fromEntries(Object.keys(fields ?? {}).map((f) => [f, file]));
}

function newEntry(doc: EntryDoc, file: string): LogsourceMapping {
  const { replace: _replace, ...rest } = doc;
  return {
    ...rest,
    when: doc.when ?? {},
    destination: doc.destination ?? {},
    from: [file],
    fieldFrom: fieldSources(doc.fields, file),
  };
}

function extendEntry(base: LogsourceMapping, doc: EntryDoc, file: string): LogsourceMapping {
  const fields = { ...base.fields, ...doc.fields };
  const values: Record<string, Readonly<Record<string, string | number | boolean>>> = { ...base.values };
  for (const [field, table] of Object.entries(doc.values ?? {})) values[field] = { ...values[field], ...table };
  // A field the user now maps is no longer missing from the data.
  const missing = (doc.missing ?? base.missing)?.filter((f) => doc.missing || !Object.hasOwn(doc.fields ?? {}, f));
  const out: LogsourceMapping = {
    ...base,
    when: doc.when ?? base.when,
    destination: { ...base.destination, ...doc.destination },
    fields,
    values,
    fieldTypes: { ...base.fieldTypes, ...doc.fieldTypes },
    ...(base.fieldDiagnostics || doc.fieldDiagnostics
      ? { fieldDiagnostics: { ...base.fieldDiagnostics, ...doc.fieldDiagnostics } }
      : {}),
    ...(doc.unmapped ? { unmapped: doc.unmapped } : {}),
    ...(missing ? { missing } : {}),
    ...('condition' in doc ? { condition: doc.condition } : {}),
    ...(doc.notes !== undefined ? { notes: doc.notes } : {}),
    from: [...(base.from ?? []), file],
    fieldFrom: { ...base.fieldFrom, ...fieldSources(doc.fields, file) },
  };
  return out;
}

/** `doc` (read from `file`) layered over `base`; `name` says which layer it is, for `rulec targets`. */
export function layerPipeline(base: Pipeline, doc: PipelineDoc, file: string, name: string): Pipeline {
  const byId = new Map(base.logsources.map((e, i) => [e.id, i]));
  const changed = [...base.logsources];
  const added: LogsourceMapping[] = [];
  for (const entry of doc.logsources ?? []) {
    const at = byId.get(entry.id);
    if (at === undefined) added.push(newEntry(entry, file));
    else
      changed[at] = entry.replace
        ? { ...newEntry({ ...entry, when: entry.when ?? changed[at]!.when }, file), from: [file] }
        : extendEntry(changed[at]!, entry, file);
  }
  return Object.freeze({
    ...base,
    fields: Object.freeze({ ...base.fields, ...doc.fields }),
    logsources: Object.freeze([...added, ...changed]),
    fallback: { ...base.fallback, ...doc.fallback },
    layers: [...(base.layers ?? []), name],
  });
}

/** Settings applied to every entry's destination and to the fallback (the configuration's `destination`). */
export function withDestination(
  base: Pipeline,
  destination: Readonly<Record<string, unknown>>,
  file: string,
): Pipeline {
  if (Object.keys(destination).length === 0) return base;
  return Object.freeze({
    ...base,
    logsources: Object.freeze(
      base.logsources.map((e) => ({
        ...e,
        destination: { ...e.destination, ...destination },
        from: [...(e.from ?? []), file],
      })),
    ),
    fallback: { ...base.fallback, ...destination },
    layers: [...(base.layers ?? []), `${file} (destination)`],
  });
}
