/** A temporary rules project for the configuration tests: files written under a fresh mkdtemp folder. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export function project(files: Readonly<Record<string, string>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'rulec-config-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** A Sysmon-style process_creation rule; `extra` is YAML appended at the top level (e.g. `targets:`). */
export function processRule(detection: string, extra = '', id = '0c2a1f7e-2f7b-4c3e-9a55-0a4b2e1d1c01'): string {
  return `title: Whoami from a test
id: ${id}
status: test
description: a test rule
author: rulec tests
date: 2024-01-01
logsource:
  product: windows
  category: process_creation
detection:
${detection
  .split('\n')
  .map((l) => `  ${l}`)
  .join('\n')}
  condition: selection
level: high
${extra}`;
}

export const WHOAMI = processRule(`selection:
  Image|endswith: '\\whoami.exe'
  CommandLine|contains: '/priv'`);
