/** The published rule schema (schema/rule.schema.json at the repository top, used by editors too) and its key lists. */
import schema from '../../schema/rule.schema.json' with { type: 'json' };

export const RULE_SCHEMA: Readonly<Record<string, unknown>> = schema;

/** Top-level keys the schema describes, in schema order (Sigma's first, then rulec's extensions). */
export const KNOWN_TOP_LEVEL_KEYS: readonly string[] = Object.keys(schema.properties);
