/** Constructors returning frozen nodes. Boolean constructors flatten and simplify, so trees stay canonical. */
import type {
  AndNode,
  CompareOp,
  ConstNode,
  IrNode,
  ListReference,
  NotNode,
  Origin,
  OrNode,
  RegexFlags,
  TimePart,
} from './nodes.js';
import type { Pattern } from './pattern.js';

type WithOrigin<T> = T & { origin?: Origin };

function freeze<T extends IrNode>(node: T, origin: Origin | undefined): T {
  if (origin !== undefined)
    (node as { origin?: Origin }).origin = Object.freeze({
      path: Object.freeze([...origin.path]),
      ...(origin.valueMapped ? { valueMapped: true as const } : {}),
    });
  return Object.freeze(node);
}

export const TRUE: ConstNode = Object.freeze({ kind: 'const', value: true });
export const FALSE: ConstNode = Object.freeze({ kind: 'const', value: false });

/** AND of the children: nested ANDs are flattened, `true` dropped, `false` absorbs; one child is returned as is. */
export function and(children: readonly IrNode[], origin?: Origin): IrNode {
  const flat: IrNode[] = [];
  for (const child of children) {
    if (child.kind === 'const') {
      if (!child.value) return FALSE;
      continue;
    }
    // A loop, not push(...children): spreading 130,000 children into one call overflows the stack.
    if (child.kind === 'and') for (const c of child.children) flat.push(c);
    else flat.push(child);
  }
  if (flat.length === 0) return TRUE;
  if (flat.length === 1) return flat[0]!;
  return freeze<AndNode>({ kind: 'and', children: Object.freeze(flat) }, origin);
}

/** OR of the children: nested ORs are flattened, `false` dropped, `true` absorbs; one child is returned as is. */
export function or(children: readonly IrNode[], origin?: Origin): IrNode {
  const flat: IrNode[] = [];
  for (const child of children) {
    if (child.kind === 'const') {
      if (child.value) return TRUE;
      continue;
    }
    // A loop, not push(...children): spreading 130,000 children into one call overflows the stack.
    if (child.kind === 'or') for (const c of child.children) flat.push(c);
    else flat.push(child);
  }
  if (flat.length === 0) return FALSE;
  if (flat.length === 1) return flat[0]!;
  return freeze<OrNode>({ kind: 'or', children: Object.freeze(flat) }, origin);
}

/** NOT of the child; double negation and constants are simplified. */
export function not(child: IrNode, origin?: Origin): IrNode {
  if (child.kind === 'const') return child.value ? FALSE : TRUE;
  if (child.kind === 'not') return child.child;
  return freeze<NotNode>({ kind: 'not', child }, origin);
}

export function stringMatch(field: string, pattern: Pattern, cased = false, origin?: Origin): IrNode {
  return freeze({ kind: 'stringMatch', field, pattern, cased }, origin);
}
export function numberMatch(field: string, value: number, origin?: Origin): IrNode {
  return freeze({ kind: 'numberMatch', field, value }, origin);
}
export function boolMatch(field: string, value: boolean, origin?: Origin): IrNode {
  return freeze({ kind: 'boolMatch', field, value }, origin);
}
export function nullMatch(field: string, origin?: Origin): IrNode {
  return freeze({ kind: 'nullMatch', field }, origin);
}
export function exists(field: string, origin?: Origin): IrNode {
  return freeze({ kind: 'exists', field }, origin);
}
export function regexMatch(field: string, source: string, flags: RegexFlags, origin?: Origin): IrNode {
  return freeze({ kind: 'regexMatch', field, source, flags: Object.freeze({ ...flags }) }, origin);
}
export function cidrMatch(
  field: string,
  network: string,
  prefixLength: number,
  family: 4 | 6,
  origin?: Origin,
): IrNode {
  return freeze({ kind: 'cidrMatch', field, network, prefixLength, family }, origin);
}
export function compare(field: string, op: CompareOp, value: number, origin?: Origin): IrNode {
  return freeze({ kind: 'compare', field, op, value }, origin);
}
export function fieldRef(field: string, otherField: string, cased = false, origin?: Origin): IrNode {
  return freeze({ kind: 'fieldRef', field, otherField, cased }, origin);
}
export function timePart(field: string, part: TimePart, value: number, origin?: Origin): IrNode {
  return freeze({ kind: 'timePart', field, part, value }, origin);
}
export function keyword(pattern: Pattern, cased = false, origin?: Origin): IrNode {
  return freeze({ kind: 'keyword', pattern, cased }, origin);
}

export function inList(
  field: string,
  placeholder: string,
  list: ListReference,
  values: readonly string[] | undefined,
  cased = false,
  origin?: Origin,
): IrNode {
  return freeze(
    {
      kind: 'inList',
      field,
      placeholder,
      list: Object.freeze({ ...list }),
      ...(values !== undefined ? { values: Object.freeze([...values]) } : {}),
      cased,
    },
    origin,
  );
}

export type { WithOrigin };
