/** Rule trees and output folders for build tests: small variations of the seed rule in a temp folder. */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './run-rulec.js';

export const SEED_FILE = join(REPO_ROOT, 'rules/m365/o365_mailbox_audit_logging_bypass.yml');
export const SEED_ID = '675239ea-c1bc-4467-a6d3-b9e2cc7f676d';

/** The seed with another id (or none, with `id: null`) and title; written to `root/path`. */
export function writeRule(
  root: string,
  path: string,
  change: { id?: string | null; title?: string; extra?: string } = {},
): string {
  let text = readFileSync(SEED_FILE, 'utf8');
  if (change.id === null) text = text.replace(/^id: .*\n/m, '');
  else if (change.id !== undefined) text = text.replace(/^id: .*$/m, `id: ${change.id}`);
  if (change.title !== undefined) text = text.replace(/^title: .*$/m, `title: ${change.title}`);
  if (change.extra !== undefined) text += change.extra;
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, text);
  return full;
}

/** Every file below `dir` (hidden ones included) → content; empty when `dir` does not exist. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  const walk = (d: string, prefix: string): void => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (lstatSync(full).isDirectory()) walk(full, `${prefix}${name}/`);
      else out.set(`${prefix}${name}`, readFileSync(full, 'utf8'));
    }
  };
  walk(dir, '');
  return out;
}

/** A uuid-shaped id from a small number, so tests read `id(2)`. */
export function id(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}
