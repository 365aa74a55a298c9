/** The shape of a value modifier (one file per modifier, ajv-keyword style; registry in ./index.ts). */
import type { CodeInfo } from '../../diagnostics/codes.js';
import type { Value, ValueKind } from '../value.js';

/** Item-wide switches set by flag modifiers (`all`, `cased`, `neq`). */
export interface ItemFlags {
  all: boolean;
  cased: boolean;
  neq: boolean;
}

export interface ApplyContext {
  /** Reports a problem with the value being transformed, located at that value. */
  report(code: CodeInfo, message: string, notes?: readonly string[]): void;
}

export interface ModifierDef {
  readonly name: string;
  /** What kind of working value the modifier takes at its position in the chain. */
  readonly accepts: readonly ValueKind[];
  /** pySigma requires `re`, `cidr` and `exists` to come first. */
  readonly first?: boolean;
  /** The modifier may only directly follow one of these (regex sub-modifiers follow `re`). */
  readonly follows?: readonly string[];
  /** Needs a field: meaningless in a keyword search. */
  readonly fieldOnly?: boolean;
  /** Kind after the modifier, given the kind before; flags leave it unchanged. */
  output?(input: ValueKind): ValueKind;
  /** Flag modifiers change the item as a whole; checked against the kind at the end of the chain. */
  setFlag?(flags: ItemFlags): void;
  /** Transforms one value into its alternatives (OR-linked); returns [] after reporting an error. */
  apply?(value: Value, ctx: ApplyContext): readonly Value[];
}
