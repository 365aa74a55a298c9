/** The elastic target as the command line sees it before its code loads (`load` brings the backend). */
import { backendRoot } from '../../src/backend/root.js';
import type { ListReferenceKind, TargetDescriptor, TargetMeta } from '../../src/backend/types.js';

export const ELASTIC_LIST_REFERENCES: Readonly<Record<string, ListReferenceKind>> = Object.freeze({
  valueList: {
    name: /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/,
    nameRule: 'a value list id (letters, digits, _ . -)',
    summary:
      'a rule exception whose entry is the value list (`type: list`): `is in list` for a negated test, `is not in list` for a positive one, top-level AND only',
  },
});

export const meta: TargetMeta = {
  id: 'elastic',
  // Elastic's pipeline maps rules onto ECS documents: `rulec match --format ecs` reuses it.
  eventFormat: 'ecs',
  title: 'Elastic Security (Kibana KQL / EQL)',
  // `kql` is also Kusto's name (the sentinel target declares it too), so it is refused as ambiguous.
  aliases: ['kibana', 'elasticsearch', 'elastic-security', 'kql'],
  root: backendRoot('elastic'),
  placeholderReferences: ELASTIC_LIST_REFERENCES,
};

export const target: TargetDescriptor = { ...meta, load: async () => (await import('./index.js')).backend };
