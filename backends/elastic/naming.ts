/** Stable names for a rule's artifacts: its id, or a slug of its file name when it has none. */
import { basename, extname } from 'node:path';
import type { Rule } from '../../src/model/rule.js';

export function slugOfFile(file: string): string {
  const stem = basename(file, extname(file));
  const slug = stem
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug === '' ? 'rule' : slug;
}

/** The Kibana `rule_id` and file stem: the rule's id, else `<file-slug>` (plus `-<n>` for later YAML documents). */
export function ruleKey(rule: Rule): string {
  if (rule.id !== undefined) return rule.id;
  const slug = slugOfFile(rule.file);
  return rule.documentIndex > 0 ? `${slug}-${rule.documentIndex}` : slug;
}

/** The artifact file stem: the rule key with anything but `[A-Za-z0-9_-]` (and `.`, not leading) replaced. */
export function fileStem(rule: Rule): string {
  return ruleKey(rule)
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/^\.+/, '-');
}
