/** The splunk target as the command line sees it before its code loads (`load` brings the backend). */
import { backendRoot } from '../../src/backend/root.js';
import type { ListReferenceKind, TargetDescriptor, TargetMeta } from '../../src/backend/types.js';

const COLUMN = /^[A-Za-z_][A-Za-z0-9_]{0,99}$/;

export const SPLUNK_LIST_REFERENCES: Readonly<Record<string, ListReferenceKind>> = Object.freeze({
  lookup: {
    // A lookup definition or a lookup table file (`admins.csv`).
    name: /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$/,
    nameRule: 'a lookup name (letters, digits, _ . -)',
    column: COLUMN,
    summary: '`[| inputlookup name | fields column | rename column AS field]` subsearch (default column `value`)',
  },
  macro: {
    name: /^[A-Za-z_][A-Za-z0-9_-]{0,99}$/,
    nameRule: 'a macro name (letters, digits, _ -)',
    summary: '`` `name(field)` ``: a one-argument search macro testing its argument',
  },
});

export const meta: TargetMeta = {
  id: 'splunk',
  title: 'Splunk (SPL saved search)',
  aliases: ['spl'],
  root: backendRoot('splunk'),
  placeholderReferences: SPLUNK_LIST_REFERENCES,
};

export const target: TargetDescriptor = { ...meta, load: async () => (await import('./index.js')).backend };
