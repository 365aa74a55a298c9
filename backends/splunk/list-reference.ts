/**
 * Placeholders resolved through what a Splunk site keeps (README "Adapting rulec to your environment"):
 *
 * - `lookup: name` → the subsearch `[| inputlookup name | fields <column> | rename <column> AS <field>]` as a search
 *   term. A subsearch in `search` returns its rows as `((field="a") OR (field="b"))`, so the term means "the field's
 *   value is one of the lookup's values", compared like every other search value (case-insensitive, `*` a
 *   wildcard), and `NOT [...]` is its negation. The `rename` gives the lookup's column the rule's (mapped) field name,
 *   so one lookup serves every field it is used on. Default column `value`.
 * - `macro: name` → `` `name(<field>)` ``: a one-argument search macro that the site defines as a search term on
 *   its argument, e.g. `[admin_users(1)]`, `args = field`, `definition = ($field$="alice" OR $field$="bob")`. The
 *   field is the argument because one placeholder is used on different fields across rules.
 *
 * Names and fields are written into the query bare, so only safe forms are accepted (the configuration checks the
 * names with the same patterns; the renderer checks again, so no other path can write one).
 */
import type { Reporter } from '../../src/backend/types.js';
import type { InListNode } from '../../src/ir/nodes.js';
import { SPLUNK_LIST_REFERENCES } from './target.js';
import { SPLUNK_CODES as C } from './codes.js';

const COLUMN = SPLUNK_LIST_REFERENCES['lookup']!.column!;

// Declared with the target's descriptor (./target.ts), which the command line reads without loading the backend.
export { SPLUNK_LIST_REFERENCES };

/** Fields a macro argument and a `rename … AS` can carry bare: identifiers with dots, not an SPL word. */
const PLAIN_FIELD = /^[A-Za-z_][A-Za-z0-9_.]{0,199}$/;
const WORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'AS', 'BY', 'CASE', 'TERM']);

/** The search term for `node`, or undefined (refused through `report`) when it cannot be written safely. */
export function listSearchTerm(node: InListNode, report: Reporter): string | undefined {
  const kind = SPLUNK_LIST_REFERENCES[node.list.kind];
  if (kind === undefined || !kind.name.test(node.list.name)) {
    report.refuse(C.SP632.code, `Splunk cannot use the ${node.list.kind} ${JSON.stringify(node.list.name)}`, node);
    return undefined;
  }
  if (!PLAIN_FIELD.test(node.field) || WORDS.has(node.field.toUpperCase())) {
    report.refuse(
      C.SP631.code,
      `field ${JSON.stringify(node.field)} cannot be passed to the ${node.list.kind} '${node.list.name}' (%${node.placeholder}%): only letters, digits, _ and . can`,
      node,
    );
    return undefined;
  }
  if (node.list.kind === 'macro') return `\`${node.list.name}(${node.field})\``;
  const column = node.list.column ?? 'value';
  if (!COLUMN.test(column)) {
    report.refuse(C.SP632.code, `Splunk cannot use the lookup column ${JSON.stringify(column)}`, node);
    return undefined;
  }
  return `[| inputlookup ${node.list.name} | fields ${column} | rename ${column} AS ${node.field}]`;
}
