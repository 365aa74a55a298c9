/**
 * Computed columns. A pipeline destination may give columns its table does not have as Kusto expressions over
 * real columns (`extend: {User: 'strcat(AccountDomain, @"\", AccountName)'}`), and may name an XML column
 * (`xmlDataColumn: EventData`) whose `<Data Name="…">` elements hold every field the rule tests that is neither
 * a declared column nor an `extend` entry (Windows event data in Event / SecurityEvent). The query computes only
 * the columns its filter uses, in one `| extend` line before `| where` (README.md). Computed columns are not in
 * `fieldTypes`, so the dialect treats them as strings: an `extend` expression must yield a string.
 */
import type { MappedRule } from '../../src/backend/types.js';
import { fieldsOf } from '../../src/ir/visit.js';
import { identifier, regexLiteral, stringLiteral } from './kusto-literals.js';
import { re2Literal } from './re2.js';

/** XML escapes in event data text (`&amp;` last, so `&amp;lt;` stays `&lt;`). */
const XML_ENTITIES: readonly (readonly [string, string])[] = [
  ['&lt;', '<'],
  ['&gt;', '>'],
  ['&quot;', '"'],
  ['&apos;', "'"],
  ['&amp;', '&'],
];

/** The text of `<Data Name="name">…</Data>` in an XML column, entities decoded; `""` when there is none. */
export function xmlDataExpression(column: string, name: string): string {
  const pattern = regexLiteral(`<Data Name="${re2Literal(name)}">([^<]*)</Data>`);
  let expr = `extract(${pattern}, 1, ${identifier(column)})`;
  for (const [entity, text] of XML_ENTITIES)
    expr = `replace_string(${expr}, ${stringLiteral(entity)}, ${stringLiteral(text)})`;
  return expr;
}

/** The destination's `extend` table: computed column → Kusto expression (pipeline data, not rule data). */
export function extendTable(destination: Readonly<Record<string, unknown>>): Readonly<Record<string, string>> {
  const table = destination['extend'];
  if (table === undefined || table === null) return {};
  if (typeof table !== 'object' || Array.isArray(table)) throw new Error('destination.extend must be a map');
  for (const [name, expr] of Object.entries(table))
    if (typeof expr !== 'string') throw new Error(`destination.extend.${name} must be a Kusto expression`);
  return table as Record<string, string>;
}

/** `A = expr, B = expr` for the computed columns the detection uses, in first-use order; undefined if none. */
export function extendPrelude(mapped: MappedRule): string | undefined {
  const parts = computedColumns(mapped, fieldsOf(mapped.detection));
  return parts.length === 0 ? undefined : parts.join(', ');
}

/**
 * `A = expr` for each of `fields` that is a computed column of the destination (an `extend` entry, or event data
 * of its XML column), in order; the others are real columns and need nothing. Correlations use it for the
 * group-by and value fields their rules' filters do not compute.
 */
export function computedColumns(mapped: MappedRule, fields: readonly string[]): string[] {
  const extend = extendTable(mapped.destination);
  const xml = mapped.destination['xmlDataColumn'];
  const parts: string[] = [];
  for (const field of fields) {
    if (Object.hasOwn(extend, field)) parts.push(`${identifier(field)} = ${extend[field]}`);
    else if (typeof xml === 'string' && !Object.hasOwn(mapped.fieldTypes, field)) {
      // `EventData.UserName` names the data element when a table column has the same name (Event.UserName).
      const name = field.startsWith(`${xml}.`) ? field.slice(xml.length + 1) : field;
      parts.push(`${identifier(field)} = ${xmlDataExpression(xml, name)}`);
    }
  }
  return parts;
}
