/** The sentinel target as the command line sees it before its code loads (`load` brings the backend). */
import { backendRoot } from '../../src/backend/root.js';
import type { ListReferenceKind, TargetDescriptor, TargetMeta } from '../../src/backend/types.js';

export const SENTINEL_LIST_REFERENCES: Readonly<Record<string, ListReferenceKind>> = Object.freeze({
  watchlist: {
    name: /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/,
    nameRule: 'a watchlist alias (letters, digits, _ -; at most 64)',
    column: /^[A-Za-z_][A-Za-z0-9_]{0,99}$/,
    summary: '`field in~ (_GetWatchlist("alias") | project SearchKey)` (or the configured column)',
  },
});

export const meta: TargetMeta = {
  id: 'sentinel',
  // Sentinel's tables (OfficeActivity, SecurityEvent, …) hold events under the columns this pipeline maps rules
  // onto: `rulec match --format sentinel` reuses it.
  eventFormat: 'sentinel',
  title: 'Microsoft Sentinel (scheduled analytic rule, Kusto)',
  // `kql` is also Kibana's query language (the elastic target declares it too), so it is refused as ambiguous.
  aliases: ['kusto', 'azure-sentinel', 'microsoft-sentinel', 'kql'],
  root: backendRoot('sentinel'),
  placeholderReferences: SENTINEL_LIST_REFERENCES,
};

export const target: TargetDescriptor = { ...meta, load: async () => (await import('./index.js')).backend };
