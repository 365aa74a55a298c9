/**
 * ES|QL `WHERE` expressions over the mapped IR, for the correlation rules emitted as ES|QL (`type: esql`).
 * From Elasticsearch's ES|QL reference (operators, `like.md`, `rlike.md`, string/ip functions):
 *
 * - `==` and `LIKE` are case-sensitive; Sigma's case-insensitive matches compare `TO_LOWER(field)` with the
 *   lower-cased value. `LIKE` wildcards are `*` and `?`, escaped with `\` (escaped again inside the string).
 * - `RLIKE` takes a Lucene regex anchored to the whole value (the EQL translation is reused); Lucene has no
 *   case-insensitive flag in `RLIKE`, and lower-casing a regex changes its classes, so `(?i)` regexes are refused.
 * - Three-valued logic: a comparison on a missing field is null, and `NOT null` is null, so a row would be dropped
 *   where Sigma's `not` keeps it. Every negated operand is therefore `COALESCE(…, FALSE)`: missing reads as false,
 *   as Sigma reads it. Under AND/OR a null already behaves like false for the final `WHERE`.
 */
import type { IrNode, NodeOf } from '../../src/ir/nodes.js';
import type { Pattern } from '../../src/ir/pattern.js';
import { patternShape } from '../../src/ir/pattern.js';
import type { BooleanTokens, GenContext } from '../../src/render/query-generator.js';
import { QueryGenerator } from '../../src/render/query-generator.js';
import { planCidr } from './cidr-lowering.js';
import './codes.js';
import { luceneRegexOrRefuse, refuseIpWildcard, refusedNumber } from './dialect-refusals.js';
import { escapeLikeLiteral, esqlField, esqlNumber, esqlString } from './esql-escape.js';
import { fieldKind } from './field-kind.js';
import { listRefusal } from './value-lists.js';

const COMPARE_OPERATORS = { lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

export class EsqlGenerator extends QueryGenerator {
  /** A value list cannot be read inside a query (Elastic attaches lists through rule exceptions): as in KQL. */
  protected listRefusal(node: NodeOf<'inList'>): readonly [string, string] {
    return listRefusal(node);
  }

  protected readonly tokens: BooleanTokens = { and: ' AND ', or: ' OR ' };
  protected override readonly alwaysParenthesize = true;

  protected negate(operand: string, child: IrNode): string {
    // `IS NULL` / `IS NOT NULL` and a nested NOT are never null: no COALESCE needed.
    const twoValued = child.kind === 'exists' || child.kind === 'nullMatch' || child.kind === 'not';
    return twoValued ? `NOT ${operand}` : `NOT COALESCE(${operand}, FALSE)`;
  }

  protected constant(value: boolean): string {
    return value ? 'TRUE' : 'FALSE';
  }

  private string(text: string): string {
    return esqlString(text);
  }

  stringMatch(node: NodeOf<'stringMatch'>, ctx: GenContext): string {
    return this.matchPattern(node, node.field, node.pattern, node.cased, ctx);
  }

  private matchPattern(node: IrNode, fieldName: string, p: Pattern, cased: boolean, ctx: GenContext): string {
    const field = esqlField(fieldName);
    const shape = patternShape(p);
    // Sigma `*` alone matches any value, including the empty string, but not a missing field.
    if (shape.kind === 'any') return `${field} IS NOT NULL`;
    const kind = fieldKind(ctx.mapped.fieldTypes, fieldName);
    if (kind === 'ip') {
      if (shape.kind !== 'exact') {
        refuseIpWildcard(node, fieldName, ctx);
        return '';
      }
      return `${field} == TO_IP(${this.string(shape.text)})`;
    }
    // Values are lower-cased with the field (TO_LOWER), so a case-insensitive test compares like with like.
    const fold = (text: string): string => (cased ? text : text.toLowerCase());
    const subject = cased ? field : `TO_LOWER(${field})`;
    if (shape.kind === 'exact') return `${subject} == ${this.string(fold(shape.text))}`;
    const like = p.parts
      .map((part) =>
        part.kind === 'literal' ? escapeLikeLiteral(fold(part.text)) : part.kind === 'anyChars' ? '*' : '?',
      )
      .join('');
    return `${subject} LIKE ${this.string(like)}`;
  }

  numberMatch(node: NodeOf<'numberMatch'>, ctx: GenContext): string {
    if (refusedNumber(node, ctx)) return '';
    // ES|QL type-checks comparisons (a keyword compared with a number fails the whole query): a numeric field is
    // compared with the number, a string field with its canonical decimal text, and a field of unknown type as
    // text (TO_STRING of a keyword is itself, of an integer its decimal digits).
    const field = esqlField(node.field);
    const text = this.string(esqlNumber(node.value));
    switch (fieldKind(ctx.mapped.fieldTypes, node.field)) {
      case 'number':
        return `${field} == ${esqlNumber(node.value)}`;
      case 'string':
      case 'text':
        return `${field} == ${text}`;
      default:
        return `TO_STRING(${field}) == ${text}`;
    }
  }

  boolMatch(node: NodeOf<'boolMatch'>): string {
    return `${esqlField(node.field)} == ${node.value ? 'TRUE' : 'FALSE'}`;
  }

  nullMatch(node: NodeOf<'nullMatch'>): string {
    return `${esqlField(node.field)} IS NULL`;
  }

  exists(node: NodeOf<'exists'>): string {
    return `${esqlField(node.field)} IS NOT NULL`;
  }

  regexMatch(node: NodeOf<'regexMatch'>, ctx: GenContext): string {
    if (node.flags.ignoreCase) {
      ctx.report.refuse(
        'EL516',
        `the regex of '${node.field}' is case-insensitive, which ES|QL RLIKE cannot express`,
        node,
      );
      return '';
    }
    const lucene = luceneRegexOrRefuse(node, ctx);
    if (lucene === undefined) return '';
    return `${esqlField(node.field)} RLIKE ${this.string(lucene)}`;
  }

  cidrMatch(node: NodeOf<'cidrMatch'>, ctx: GenContext): string {
    const plan = planCidr(node, ctx);
    if (!plan) return '';
    if ('native' in plan) return `CIDR_MATCH(${esqlField(node.field)}, ${this.string(plan.native)})`;
    return this.matchPattern(node, node.field, plan.pattern, true, ctx);
  }

  compare(node: NodeOf<'compare'>, ctx: GenContext): string {
    if (refusedNumber(node, ctx)) return '';
    // A field not typed numeric is converted (TO_DOUBLE: null when not a number), so the comparison is numeric, as
    // Sigma's is, and type-checks whatever the field's mapping.
    const field = esqlField(node.field);
    const subject = fieldKind(ctx.mapped.fieldTypes, node.field) === 'number' ? field : `TO_DOUBLE(${field})`;
    return `${subject} ${COMPARE_OPERATORS[node.op]} ${esqlNumber(node.value)}`;
  }

  fieldRef(node: NodeOf<'fieldRef'>): string {
    // ES|QL, unlike KQL and EQL, compares two columns.
    const [a, b] = [esqlField(node.field), esqlField(node.otherField)];
    return node.cased ? `${a} == ${b}` : `TO_LOWER(${a}) == TO_LOWER(${b})`;
  }

  timePart(node: NodeOf<'timePart'>, ctx: GenContext): string {
    ctx.report.refuse('EL517', `the ${node.part} of '${node.field}' is not tested in ES|QL by rulec`, node);
    return '';
  }

  keyword(node: NodeOf<'keyword'>, ctx: GenContext): string {
    ctx.report.refuse('EL515', 'a keyword (field-less) search has no ES|QL form: ES|QL tests named columns', node);
    return '';
  }
}
