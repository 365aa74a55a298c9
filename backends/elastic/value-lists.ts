/**
 * Placeholders resolved through Elastic value lists (`valueList: <list id>`).
 *
 * A KQL or EQL query cannot name a value list: Elastic attaches lists to a rule through its exceptions only
 * (Elastic Security "Lists API": lists cannot be added to rules directly; an exception item with an entry of
 * `type: list` names the list and the operator, and the rule's `exceptions_list` names the exception container).
 * An exception removes the alerts it matches, so only a test that every alert must pass (a conjunct of the
 * top-level AND) can move there:
 *
 * - `not field in list` → an item with operator `included` ("is in list"): alerts whose field is in the list go;
 * - `field in list` → an item with operator `excluded` ("is not in list"): alerts whose field is not in it go, so
 *   those kept are exactly the ones in the list;
 * - `not (a in L1 or b in L2)` → one item per list (items are ORed); `not (a in L1 and b in L2)` → one item with
 *   both entries (entries are ANDed).
 *
 * A list test anywhere else (inside an OR, next to other tests under a `not`) stays in the query, where it is its
 * configured values or refused (EL600). List entries compare exact terms: case-sensitively on keyword fields (EL601).
 */
import type { MappedRule, Reporter } from '../../src/backend/types.js';
import * as b from '../../src/ir/build.js';
import type { InListNode, IrNode } from '../../src/ir/nodes.js';
import './codes.js';
import { ELASTIC_LIST_REFERENCES } from './target.js';
import { elasticFieldType } from './field-types.js';

// Declared with the target's descriptor (./target.ts), which the command line reads without loading the backend.
export { ELASTIC_LIST_REFERENCES };

export interface ListEntry {
  readonly field: string;
  readonly list: { readonly id: string; readonly type: string };
  readonly operator: 'included' | 'excluded';
  readonly type: 'list';
}

/** One exception item: its entries all match (AND) for the item to remove an alert. */
export type ExceptionItem = readonly ListEntry[];

/** Value list types a field type maps to (Lists API container types); anything else is a keyword list. */
function listType(field: string, mapped: MappedRule): string {
  const type = mapped.fieldTypes[field] ?? elasticFieldType(field);
  return type === 'ip' ? 'ip' : 'keyword';
}

function usable(node: IrNode): node is InListNode {
  return (
    node.kind === 'inList' &&
    node.list.kind === 'valueList' &&
    ELASTIC_LIST_REFERENCES['valueList']!.name.test(node.list.name)
  );
}

/**
 * The rule with its top-level list tests taken out of the detection, and the exception items that say them. Rules
 * without value lists are returned unchanged, with no items.
 */
export function extractListExceptions(
  mapped: MappedRule,
  report: Reporter,
): { readonly mapped: MappedRule; readonly exceptions: readonly ExceptionItem[] } {
  const conjuncts = mapped.detection.kind === 'and' ? mapped.detection.children : [mapped.detection];
  const items: ExceptionItem[] = [];
  const kept: IrNode[] = [];
  const entry = (node: InListNode, operator: ListEntry['operator']): ListEntry => {
    const type = listType(node.field, mapped);
    // Addresses have one spelling per value; text compared as exact terms keeps its case.
    if (!node.cased && type !== 'ip')
      report.warn(
        'EL601',
        `the value list '${node.list.name}' (%${node.placeholder}%) is matched as exact terms: case-sensitively on '${node.field}', where the rule ignores case`,
        node,
      );
    return { field: node.field, list: { id: node.list.name, type }, operator, type: 'list' };
  };
  for (const c of conjuncts) {
    if (usable(c)) {
      items.push([entry(c, 'excluded')]);
      continue;
    }
    if (c.kind === 'not') {
      const inner = c.child;
      if (usable(inner)) {
        items.push([entry(inner, 'included')]);
        continue;
      }
      if (inner.kind === 'or' && inner.children.every(usable)) {
        for (const n of inner.children) items.push([entry(n as InListNode, 'included')]);
        continue;
      }
      if (inner.kind === 'and' && inner.children.every(usable)) {
        items.push(inner.children.map((n) => entry(n as InListNode, 'included')));
        continue;
      }
    }
    kept.push(c);
  }
  if (items.length === 0) return { mapped, exceptions: [] };
  return { mapped: Object.freeze({ ...mapped, detection: b.and(kept, mapped.detection.origin) }), exceptions: items };
}

/** The exception container's `list_id` for a rule: one container per rule, named after its `rule_id`. */
export function exceptionListId(ruleId: string): string {
  return `${ruleId}-placeholders`;
}

/** The objects Kibana imports for the items (container first, then items), in the Exceptions API's shape. */
export function exceptionObjects(
  ruleId: string,
  ruleName: string,
  items: readonly ExceptionItem[],
): Record<string, unknown>[] {
  const listId = exceptionListId(ruleId);
  const container = {
    description: `Placeholder value lists of the rule "${ruleName}" (generated by rulec)`,
    list_id: listId,
    name: `${ruleName} (placeholders)`,
    namespace_type: 'single',
    tags: ['rulec'],
    type: 'detection',
  };
  const objects = items.map((entries, i) => ({
    description: entries
      .map((e) => `${e.field} ${e.operator === 'included' ? 'is in' : 'is not in'} list ${e.list.id}`)
      .join(' and '),
    entries: entries.map((e) => ({ field: e.field, list: { ...e.list }, operator: e.operator, type: e.type })),
    item_id: `${listId}-${i + 1}`,
    list_id: listId,
    name: `placeholder value lists ${i + 1}`,
    namespace_type: 'single',
    tags: ['rulec'],
    type: 'simple',
  }));
  return [container, ...objects];
}

/** Why a list test left in the query cannot be rendered there (no values configured to expand). */
export function listRefusal(node: InListNode): readonly [string, string] {
  const listed: IrNode = node;
  return [
    'EL600',
    usable(listed)
      ? `the value list '${node.list.name}' (%${node.placeholder}%) is tested inside an OR or a larger NOT: Elastic applies value lists only as rule exceptions, which can only stand for a test every alert passes (a top-level AND); give the placeholder's values too to expand them here`
      : `Elastic cannot use the ${node.list.kind} '${node.list.name}' (%${node.placeholder}%)`,
  ];
}
