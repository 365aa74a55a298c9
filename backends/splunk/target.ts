/** The splunk target as the command line sees it before its code loads (`load` brings the backend). */
import { backendRoot } from '../../src/backend/root.js';
import type { TargetDescriptor, TargetMeta } from '../../src/backend/types.js';
import { SPLUNK_LIST_REFERENCES } from './list-reference.js';

export const meta: TargetMeta = {
  id: 'splunk',
  title: 'Splunk (SPL saved search)',
  aliases: ['spl'],
  root: backendRoot('splunk'),
  placeholderReferences: SPLUNK_LIST_REFERENCES,
};

export const target: TargetDescriptor = { ...meta, load: async () => (await import('./index.js')).backend };
