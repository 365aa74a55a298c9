import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRuleFile } from '../../src/frontend.js';
import { isoFromSlashDate } from '../../src/schema/slash-dates.js';
import { runRulec } from '../helpers/run-rulec.js';
import { VALID_RULE, wheres } from './helpers.js';

describe('dates written YYYY/MM/DD (issue 13)', () => {
  it('reads YYYY/MM/DD and YYYY/M/D as the ISO day, with RC124 at the value naming the ISO form', () => {
    for (const fast of [true, false]) {
      const result = readRuleFile('r.yml', `${VALID_RULE}date: 2022/04/11\nmodified: 2023/1/5\n`, { fast });
      expect(wheres(result.diagnostics)).toEqual(['RC124 12:7', 'RC124 13:11']);
      expect(result.diagnostics.map((d) => [d.severity, d.message, d.label])).toEqual([
        ['warning', `'date' "2022/04/11" is written YYYY/MM/DD; it is read as 2022-04-11`, 'write 2022-04-11'],
        ['warning', `'modified' "2023/1/5" is written YYYY/MM/DD; it is read as 2023-01-05`, 'write 2023-01-05'],
      ]);
      expect(result.rules[0]).toMatchObject({ date: '2022-04-11', modified: '2023-01-05' });
    }
  });

  it('still refuses a slash date that names no day, and other forms', () => {
    const result = readRuleFile('r.yml', `${VALID_RULE}date: 2022/02/30\nmodified: 22/04/11\n`);
    expect(wheres(result.diagnostics)).toEqual(['RC104 12:7', 'RC104 13:11']);
    expect(result.rules).toEqual([]);
    expect(isoFromSlashDate('2024/2/29')).toBe('2024-02-29');
    expect(isoFromSlashDate('2023/2/29')).toBeUndefined();
    expect(isoFromSlashDate('2023/001/01')).toBeUndefined();
  });

  describe('through the binary', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rulec-slash-date-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('compiles a deprecated-style rule with a warning instead of an RC104 error', () => {
      writeFileSync(join(dir, 'old.yml'), `${VALID_RULE}date: 2022/04/11\n`);
      const run = runRulec(['compile', '--target', 'elastic', 'old.yml'], { cwd: dir });
      expect(run.stderr).not.toContain('RC104');
      expect(run.stderr).toContain('old.yml:12:7');
      expect(run.stderr).toMatch(/warning\[RC124\]/);
      expect(run.stderr).toContain('write 2022-04-11');
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('Set-MailboxAuditBypassAssociation');
    });
  });
});
