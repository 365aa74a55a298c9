/** The elastic target as the command line sees it before its code loads (`load` brings the backend). */
import { backendRoot } from '../../src/backend/root.js';
import type { TargetDescriptor, TargetMeta } from '../../src/backend/types.js';
import { ELASTIC_LIST_REFERENCES } from './value-lists.js';

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
