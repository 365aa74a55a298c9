/**
 * A target's pipeline, as written in `backends/<target>/pipeline/*.yml`: where each logsource's events live
 * in that target and what their fields and values are called there. Data, not code.
 */

/** One logsource mapping. */
export interface LogsourceMapping {
  /** Stable id, e.g. `windows-process-creation`; appears in the coverage report. */
  readonly id: string;
  /**
   * Which rules it applies to: each key must equal the rule's logsource key (case-insensitive).
   * The most specific match (most keys) wins; ties go to the earlier entry.
   */
  readonly when: Readonly<Record<string, string>>;
  /** Free-form data for the target's renderer and templates (index patterns, table, sourcetype, …). */
  readonly destination: Readonly<Record<string, unknown>>;
  /**
   * Extra condition ANDed in front of the rule's detection, in Sigma detection syntax (a map or a list of
   * maps), on target field names (not mapped again). E.g. `{ event.dataset: o365.audit }`.
   */
  readonly condition?: unknown;
  /**
   * Rule field → target field (a list means any of them: OR). Overrides the pack's shared `fields`. A key
   * `prefix.*` maps every rule field under `prefix.` that has no entry of its own; a `*` in its target stands for
   * the rest of the rule's field name (`Parameters.*: o365.audit.Parameters.*`).
   */
  readonly fields?: Readonly<Record<string, string | readonly string[]>>;
  /** Per rule field: exact rule value (matched case-insensitively) → target value. */
  readonly values?: Readonly<Record<string, Readonly<Record<string, string | number | boolean>>>>;
  /** Target field → type (`keyword`, `text`, `ip`, `long`, `string`, `dynamic`, …) for dialects that care. */
  readonly fieldTypes?: Readonly<Record<string, string>>;
  /**
   * What to do with a rule field that `fields` does not name: `keep` (use the rule's name as is) or
   * `refuse` (the rule cannot be compiled for this logsource: a field with no counterpart).
   */
  readonly unmapped?: 'keep' | 'refuse';
  /** Rule fields that the target's data does not have: using one refuses the rule, naming the field. */
  readonly missing?: readonly string[];
  /**
   * Diagnostics for rule fields whose translation is lossy or impossible on this target, keyed like `fields` (a
   * name, or a `prefix.*` pattern): a catalogued code (its severity decides: an error refuses the rule, a warning
   * keeps it) and a message, where `{field}` stands for the rule's field. Reported once per field, on its key.
   */
  readonly fieldDiagnostics?: Readonly<Record<string, { readonly code: string; readonly message: string }>>;
  /** Why these choices: sources, ingest path. Shown in docs, never evaluated. */
  readonly notes?: string;
}

export interface Pipeline {
  readonly target: string;
  /** Field mappings shared by all logsources of the pack (a logsource's own `fields` win). */
  readonly fields: Readonly<Record<string, string | readonly string[]>>;
  readonly logsources: readonly LogsourceMapping[];
  /** Destination used for a rule whose logsource has no mapping (it then compiles with a warning). */
  readonly fallback: Readonly<Record<string, unknown>>;
}
