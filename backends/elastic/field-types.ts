/**
 * Elasticsearch types of well-known fields (data: ./field-types.yml), for `required_fields` when the pipeline does
 * not type a field itself. Query rendering never reads this table: it keeps to the pipeline's `fieldTypes`.
 */
import { join } from 'node:path';
import { backendRoot } from '../../src/backend/root.js';
import { readPackageYaml } from '../../src/prebuilt/yaml-snapshot.js';

interface FieldTypeTable {
  readonly fields: Readonly<Record<string, string>>;
  readonly patterns: Readonly<Record<string, string>>;
}

let table: FieldTypeTable | undefined;

function load(): FieldTypeTable {
  if (table) return table;
  const raw = readPackageYaml(join(backendRoot('elastic'), 'field-types.yml')) as Partial<FieldTypeTable>;
  return (table = { fields: raw.fields ?? {}, patterns: raw.patterns ?? {} });
}

/** The field's type: its own entry, else the longest `prefix.*` pattern it falls under, else undefined. */
export function elasticFieldType(field: string): string | undefined {
  const { fields, patterns } = load();
  if (Object.hasOwn(fields, field)) return fields[field];
  let best: string | undefined;
  let bestLength = -1;
  for (const [pattern, type] of Object.entries(patterns)) {
    const prefix = pattern.slice(0, -1);
    if (
      pattern.endsWith('.*') &&
      field.startsWith(prefix) &&
      field.length > prefix.length &&
      prefix.length > bestLength
    ) {
      best = type;
      bestLength = prefix.length;
    }
  }
  return best;
}
