/**
 * The Splunk `cim` profile (tstats) and native placeholder references were built side by side: a lookup reference
 * must reach the tstats `where` clause as a subsearch on the data-model field, negated with NOT, and a hostile
 * lookup name must still be refused by the configuration check.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runRulec } from '../helpers/run-rulec.js';

const RULE = `title: Admin tool run by a non-admin
id: 0b5d3c9a-1111-4222-8333-944455556666
status: test
logsource: {product: windows, category: process_creation}
detection:
  sel: {Image|endswith: '\\psexec.exe'}
  adm: {User|expand: '%admin_users%'}
  condition: sel and not adm
level: high
`;

function site(lookup: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'rulec-cim-ph-'));
  mkdirSync(join(dir, 'rules'));
  writeFileSync(join(dir, 'rules', 'r.yml'), RULE);
  writeFileSync(
    join(dir, 'rulec.config.yml'),
    `targets:\n  splunk:\n    profile: cim\n    placeholders:\n      admin_users: { lookup: '${lookup}', column: user }\n`,
  );
  return dir;
}

describe('cim profile with a lookup placeholder', () => {
  it('puts the negated inputlookup subsearch, renamed to the data-model field, inside the tstats where clause', () => {
    const dir = site('admin_users');
    const r = runRulec(['compile', '-t', 'splunk', 'rules/r.yml'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      'from datamodel=Endpoint.Processes where Processes.process_name="psexec.exe" NOT [| inputlookup admin_users | fields user | rename user AS Processes.user] by ',
    );
  });

  it('refuses a lookup name that could break out of the subsearch, located in the configuration', () => {
    const dir = site('x] | delete [');
    const r = runRulec(['compile', '-t', 'splunk', 'rules/r.yml'], { cwd: dir });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('error[RC612]');
    expect(r.stderr).toContain('rulec.config.yml:5:');
    expect(r.stdout).not.toContain('delete');
  });
});
