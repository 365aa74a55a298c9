/**
 * The one intermediate representation of a rule's detection logic (kysely-style: readonly, tagged, frozen).
 *
 * Every consumer walks it through `visit` (./visit.ts), whose visitor type is a `Record` over every node kind:
 * adding a kind breaks the build until each backend handles it.
 */
import type { Pattern } from './pattern.js';

/** Where a node came from in the rule document, for diagnostics: a path of map keys and list indexes. */
export interface Origin {
  readonly path: readonly (string | number)[];
  /**
   * The value was written by a pipeline's value map, in the target data's own spelling (the map was looked up
   * case-insensitively), not by the rule: a target that compares case-sensitively keeps the rule's meaning.
   */
  readonly valueMapped?: true;
}

interface NodeBase {
  readonly origin?: Origin;
}

export interface AndNode extends NodeBase {
  readonly kind: 'and';
  readonly children: readonly IrNode[];
}

export interface OrNode extends NodeBase {
  readonly kind: 'or';
  readonly children: readonly IrNode[];
}

export interface NotNode extends NodeBase {
  readonly kind: 'not';
  readonly child: IrNode;
}

/** Always true or always false: the neutral element left when a pipeline or an empty `all of` removes terms. */
export interface ConstNode extends NodeBase {
  readonly kind: 'const';
  readonly value: boolean;
}

/** `field: 'value'` with Sigma's wildcards; case-insensitive unless `cased`. */
export interface StringMatchNode extends NodeBase {
  readonly kind: 'stringMatch';
  readonly field: string;
  readonly pattern: Pattern;
  readonly cased: boolean;
}

/** `field: 4688` (an unquoted YAML number): equal as a number, or as the number's canonical decimal text. */
export interface NumberMatchNode extends NodeBase {
  readonly kind: 'numberMatch';
  readonly field: string;
  readonly value: number;
}

export interface BoolMatchNode extends NodeBase {
  readonly kind: 'boolMatch';
  readonly field: string;
  readonly value: boolean;
}

/** `field: null`: the field is missing or JSON null. */
export interface NullMatchNode extends NodeBase {
  readonly kind: 'nullMatch';
  readonly field: string;
}

/** `field|exists: true`: the field is present and not null. `exists: false` is `not(exists)`. */
export interface ExistsNode extends NodeBase {
  readonly kind: 'exists';
  readonly field: string;
}

export interface RegexFlags {
  readonly ignoreCase: boolean;
  readonly multiline: boolean;
  readonly dotAll: boolean;
}

/**
 * `field|re: '…'`: search (substring) semantics; `source` is the pattern without inline flags, which the
 * parser has moved into `flags`.
 */
export interface RegexMatchNode extends NodeBase {
  readonly kind: 'regexMatch';
  readonly field: string;
  readonly source: string;
  readonly flags: RegexFlags;
}

/** `field|cidr: '10.0.0.0/8'`, normalised (no host bits). */
export interface CidrMatchNode extends NodeBase {
  readonly kind: 'cidrMatch';
  readonly field: string;
  readonly network: string;
  readonly prefixLength: number;
  readonly family: 4 | 6;
}

export type CompareOp = 'lt' | 'lte' | 'gt' | 'gte';

/** `field|gt: 5` and friends: numeric comparison. */
export interface CompareNode extends NodeBase {
  readonly kind: 'compare';
  readonly field: string;
  readonly op: CompareOp;
  readonly value: number;
}

/** `field|fieldref: other`: the two fields hold equal values (case-insensitive unless `cased`). */
export interface FieldRefNode extends NodeBase {
  readonly kind: 'fieldRef';
  readonly field: string;
  readonly otherField: string;
  readonly cased: boolean;
}

export type TimePart = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';

/** `field|hour: 3`: a part of a date-time value equals a number. */
export interface TimePartNode extends NodeBase {
  readonly kind: 'timePart';
  readonly field: string;
  readonly part: TimePart;
  readonly value: number;
}

/**
 * A keyword (field-less) search: the pattern occurs somewhere inside the event's text (case-insensitive unless
 * `cased`), as a substring of any string value; wildcards keep their meaning inside it. The pattern is the rule's
 * value as written: `searchPattern` (./pattern.ts) gives the whole-value form `*value*`.
 */
export interface KeywordNode extends NodeBase {
  readonly kind: 'keyword';
  readonly pattern: Pattern;
  readonly cased: boolean;
}

/** A list the target keeps and looks up at search time: a Sentinel watchlist, a Splunk lookup or macro, an Elastic value list. */
export interface ListReference {
  /** The configuration's key for it (`watchlist`, `lookup`, `macro`, `valueList`): each target knows its own. */
  readonly kind: string;
  /** The list's name in the target (checked against the target's safe characters by the configuration). */
  readonly name: string;
  /** The column holding the values, when the list has several. */
  readonly column?: string;
}

/**
 * `field|expand: '%name%'` where the target resolves the placeholder through a list it keeps: the field's value is
 * one of the list's values (case-insensitive unless `cased`). `values`, when the configuration gives them too, are
 * the list's values as Sigma strings: a target that cannot use the reference where it stands expands them instead.
 */
export interface InListNode extends NodeBase {
  readonly kind: 'inList';
  readonly field: string;
  /** The placeholder's name (`admin_users` for `%admin_users%`), for messages. */
  readonly placeholder: string;
  readonly list: ListReference;
  readonly values?: readonly string[];
  readonly cased: boolean;
}

export type IrNode =
  | AndNode
  | OrNode
  | NotNode
  | ConstNode
  | StringMatchNode
  | NumberMatchNode
  | BoolMatchNode
  | NullMatchNode
  | ExistsNode
  | RegexMatchNode
  | CidrMatchNode
  | CompareNode
  | FieldRefNode
  | TimePartNode
  | KeywordNode
  | InListNode;

export type IrKind = IrNode['kind'];
export type NodeOf<K extends IrKind> = Extract<IrNode, { kind: K }>;
/** Leaf nodes that test one field. */
export type FieldNode = Extract<IrNode, { field: string }>;

export const IR_KINDS = [
  'and',
  'or',
  'not',
  'const',
  'stringMatch',
  'numberMatch',
  'boolMatch',
  'nullMatch',
  'exists',
  'regexMatch',
  'cidrMatch',
  'compare',
  'fieldRef',
  'timePart',
  'keyword',
  'inList',
] as const satisfies readonly IrKind[];

export function isFieldNode(node: IrNode): node is FieldNode {
  return 'field' in node;
}
