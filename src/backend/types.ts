/**
 * The contract between the target-agnostic compiler (src/) and a target (backends/<target>/).
 * A new target is one folder exporting a `Backend` (and its `TargetDescriptor`) plus one line in backends/targets.ts.
 */
import type { Correlation } from '../correlation/model.js';
import type { SourceRef } from '../diagnostics/diagnostic.js';
import type { IrNode } from '../ir/nodes.js';
import type { Rule } from '../model/rule.js';

/** The rule after the target's pipeline: field names and values as the target's data has them. */
export interface MappedRule {
  readonly rule: Rule;
  /** The detection with the logsource condition ANDed in front, fields and values mapped. */
  readonly detection: IrNode;
  /** Id of the logsource mapping used, or undefined when none matched (fallback destination). */
  readonly logsourceId?: string;
  /** The mapping's `destination` data (or the pipeline's fallback). */
  readonly destination: Readonly<Record<string, unknown>>;
  /** Target field → type, when the pipeline knows it. */
  readonly fieldTypes: Readonly<Record<string, string>>;
}

/**
 * What a target diagnostic is about, so it can be shown on the rule's source: an IR node (its origin in the
 * detection) or a path into the rule document (`{ path: ['targets', 'sentinel', 'table'], part: 'key' }`).
 */
export type ReportAt = IrNode | SourceRef;

/** Collects a target's diagnostics for one rule. `refuse` makes the rule fail for this target only. */
export interface Reporter {
  warn(code: string, message: string, at?: ReportAt): void;
  refuse(code: string, message: string, at?: ReportAt): void;
  info(code: string, message: string, at?: ReportAt): void;
}

export interface QueryResult {
  /** The query text exactly as deployed (no trailing newline). */
  readonly query: string;
  /** The query language, e.g. `kuery`, `eql`, `kql`, `spl`, `js`. */
  readonly language: string;
  /** Anything else the target's artifacts need (e.g. Elastic's rule `type`). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** One generated file, path relative to `dist-rules/<target>/`. Content ends with a newline, LF only. */
export interface ArtifactFile {
  readonly path: string;
  readonly content: string;
}

/**
 * A combined file edited in place (`spliceBundle`): its new bytes, in consecutive parts (parts of the bytes read
 * and the new pieces), written one after the other without being joined.
 */
export interface SplicedFile {
  readonly path: string;
  readonly content: readonly Buffer[];
}

export interface CompiledRule {
  readonly mapped: MappedRule;
  readonly query: QueryResult;
  /** Set when this compiled rule is a correlation rule: its definition, for the artifact's shape and schedule. */
  readonly correlation?: Correlation;
}

/**
 * A kind of list a target keeps and looks up at search time, which a placeholder may be resolved through (the
 * configuration's `targets.<t>.placeholders.<name>.<kind>`): a Sentinel watchlist, a Splunk lookup, …
 */
export interface ListReferenceKind {
  /** What the list's name must look like: the target writes it into queries, so only these forms can be. */
  readonly name: RegExp;
  /** The same in words, for the configuration's error message. */
  readonly nameRule: string;
  /** What a `column` must look like, when the kind has columns; without it a `column` is an error. */
  readonly column?: RegExp;
  /** One line for the documentation and `rulec targets`: what the query does with it. */
  readonly summary: string;
}

/**
 * What the command line and the site configuration know of a target without loading its code: enough to resolve
 * a target name, list the targets and read the configuration.
 */
export interface TargetMeta {
  /** Short lower-case id used on the command line and as the dist-rules folder name. */
  readonly id: string;
  /** Human name, e.g. "Elastic Security (Kibana KQL)". */
  readonly title: string;
  /**
   * Other names users type for this target on the command line (`kusto`, `spl`), matched case-insensitively.
   * A name two targets declare is refused as ambiguous, naming both (how `kql` is handled).
   */
  readonly aliases?: readonly string[];
  /**
   * The shape of the events this target's pipeline maps rules onto, when it is a documented event format (e.g.
   * `ecs`): `rulec match --format <it>` then runs rules mapped through this target's pipeline.
   */
  readonly eventFormat?: string;
  /** Absolute path of `backends/<id>/` (pipeline data, templates). */
  readonly root: string;
  /** The kinds of list this target can resolve a placeholder through, by configuration key. */
  readonly placeholderReferences?: Readonly<Record<string, ListReferenceKind>>;
}

/** A target whose code is loaded only when a command compiles for it (`rulec compile -t elastic` loads one). */
export interface TargetDescriptor extends TargetMeta {
  load(): Promise<Backend>;
}

export interface Backend extends TargetMeta {
  /** Renders the query. Reports losses with `warn`, impossibilities with `refuse` (then the result is ignored). */
  renderQuery(mapped: MappedRule, report: Reporter): QueryResult;
  /** Files for one rule. */
  renderArtifacts(compiled: CompiledRule, report: Reporter): readonly ArtifactFile[];
  /**
   * Optional capability of targets that can run a rule in this process (the JS target): an event predicate for
   * the mapped rule, or undefined when the rule cannot be evaluated (reported through `report`). Used by
   * `rulec match` and `rulec test`.
   */
  createPredicate?(mapped: MappedRule, report: Reporter): EventPredicate | undefined;
  /**
   * How a comment line starts in the query language (`//` in Kusto), for labelling each query of a multi-rule
   * `rulec compile`; without it the label is a separate header line (query languages with no comments).
   */
  readonly lineComment?: string;
  /**
   * The artifacts of several rules as one stream its format can parse (NDJSON, a YAML stream), for
   * `rulec compile --artifact` on several rules; `perRule` holds each rule's files, in order. Without it the
   * files are printed one after the other, each under a label.
   */
  streamArtifacts?(perRule: readonly (readonly ArtifactFile[])[]): string;
  /**
   * One rule's share of the files combining every compiled rule (NDJSON bundle, app conf, …), as a string the
   * target alone reads back in `joinBundle`. A build keeps this string, not the compiled rule, and a later build
   * reuses it for a rule that did not change, so the combined files cost a join, not a render of every rule.
   */
  bundleFragment?(compiled: CompiledRule): string;
  /**
   * The combined files from the fragments of every rule they list, given in rule order (the target sorts them
   * into its stable order); byte for byte what rendering them from the compiled rules would give. Throws when the
   * target cannot combine these rules (two saved searches with one name).
   */
  joinBundle?(fragments: readonly string[]): readonly ArtifactFile[];
  /**
   * `joinBundle` part by part, for a build that keeps the fragments on disk and reads them back one at a time: the
   * combined files it makes, each written in pieces. Throws as `joinBundle` does, when listing or writing.
   */
  bundleFiles?(fragments: FragmentList): readonly BundleFile[];
  /**
   * The combined files after one rule's fragment changed from `before` to `after`, edited in place rather than
   * joined again from every fragment (an incremental build: build/incremental.ts); only the files that change.
   * `read` gives a combined file's current bytes (UTF-8): bytes, not text, because decoding and encoding the
   * corpus's 24 MB of combined files cost more than the rest of such a build. Undefined when the target's layout cannot place the change
   * with certainty (the rule would move, an entry would appear or vanish): the build then joins every fragment.
   * Byte for byte what `joinBundle` of the fragments with `before` replaced by `after` gives.
   */
  spliceBundle?(
    read: (path: string) => Buffer | undefined,
    before: string,
    after: string,
  ): readonly SplicedFile[] | undefined;
  /** `joinBundle` of every compiled rule's `bundleFragment` (`bundleParts` in bundle.ts derives it). */
  renderBundle?(compiled: readonly CompiledRule[]): readonly ArtifactFile[];
  /**
   * The query of a correlation rule over its referenced rules' compiled queries; refuses (RC720) the types it
   * cannot express. Without it every correlation is refused for the target.
   */
  renderCorrelation?(input: CorrelationInput, report: Reporter): QueryResult;
}

/** Bundle fragments in rule order, read one at a time (`get` may read a file: read each no more than needed). */
export interface FragmentList {
  readonly length: number;
  get(index: number): string;
}

/** One combined file, written in pieces: `write` calls `out` with consecutive parts of its text. */
export interface BundleFile {
  readonly path: string;
  write(out: (text: string) => void): void;
}

/**
 * A correlation rule as a target sees it: its referenced detection rules already compiled for the target. In a
 * chain (a correlation referring to a correlation), the referenced correlation comes compiled as a step: its
 * `compiled.correlation` is set and its `compiled.query` is the step query (see `CorrelationStep`); its `groupBy`
 * names the columns that query outputs.
 */
export interface CorrelationInput {
  readonly correlation: Correlation;
  /** Set when this correlation is rendered as the step of a chain, for the correlation that refers to it. */
  readonly step?: CorrelationStep;
  /** In `rules:` order; `groupBy` is the correlation's group-by for that rule, aliases resolved, fields mapped. */
  readonly rules: readonly {
    readonly compiled: CompiledRule;
    readonly groupBy: readonly string[];
    /** `condition.field` of the value types, mapped for this rule's events. */
    readonly field?: string;
  }[];
}

/**
 * What a correlation rendered as a chain step must output: one row per firing (group and window), carrying the
 * time of the firing in the target's event time column (the time `rulec match` gives it, or the nearest the target
 * can compute: see docs/matching.md) and, for each entry of `outputs`, the value of the group-by entry `entry` (an
 * index into the step's own `group-by`) in a column named `column`. The referring correlation reads those rows as
 * the events of that referenced rule.
 */
export interface CorrelationStep {
  readonly outputs: readonly { readonly entry: number; readonly column: string }[];
}

/**
 * A rule evaluated on one event. `memo`, when given, is a fresh object per event shared by every predicate run on
 * that event: a predicate may keep work derived from the event alone there (its strings, folded), so rules that
 * need the same thing compute it once. Never reuse a memo across events.
 */
export type EventPredicate = (event: unknown, memo?: EventMemo) => boolean;
export type EventMemo = Record<string, unknown>;
