/** Names a rule's module file: its id when that is a safe file name, else a slug of the rule's file name. */
import { basename, extname } from 'node:path';
import type { Rule } from '../../src/model/rule.js';

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

export function slug(text: string): string {
  const s = text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s === '' ? 'rule' : s;
}

/**
 * Stems of the target's own files (runtime modules and the index, see index.ts): a rule named `runtime.yml` or with
 * the id `Index` must not become one of them (compared without case: one file on macOS and Windows).
 */
const RESERVED = new Set(['runtime', 'regex-vm', 'text-set', 'cidr', 'index']);

/** The module's stem (no extension); multi-document files get the document index appended. */
export function moduleStem(rule: Rule): string {
  const stem = plainStem(rule);
  return RESERVED.has(stem.toLowerCase()) ? `rule-${stem}` : stem;
}

function plainStem(rule: Rule): string {
  if (rule.id !== undefined && SAFE_ID.test(rule.id)) return rule.id;
  const stem = slug(basename(rule.file, extname(rule.file)));
  return rule.documentIndex > 0 ? `${stem}-${rule.documentIndex}` : stem;
}
