import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import { parseSource } from '../../src/source/load.js';
import { splitPointer, validateRule } from '../../src/schema/validate.js';
import { closest, editDistance } from '../../src/schema/suggest.js';
import { VALID_RULE, wheres } from './helpers.js';

function validate(text: string): Diagnostic[] {
  const loaded = parseSource('r.yml', text);
  expect(loaded.diagnostics).toEqual([]);
  const doc = loaded.documents[0]!;
  return validateRule(doc.data, doc.locator);
}

describe('validateRule', () => {
  it('accepts the valid base rule', () => {
    expect(validate(VALID_RULE)).toEqual([]);
  });

  it('reports a missing title at the rule', () => {
    const ds = validate(VALID_RULE.replace('title: Test rule\n', ''));
    expect(wheres(ds)).toEqual(['RC101 1:1']);
    expect(ds[0]?.message).toBe("missing required field 'title' in the rule");
  });

  it('reports a missing condition at the detection key', () => {
    const ds = validate(VALID_RULE.replace('  condition: selection\n', ''));
    expect(wheres(ds)).toEqual(['RC101 8:1']);
    expect(ds[0]?.message).toBe("missing required field 'condition' in 'detection'");
  });

  it('reports a bad level at the value, with a suggestion', () => {
    const ds = validate(VALID_RULE.replace('level: high', 'level: hihg'));
    expect(wheres(ds)).toEqual(['RC103 4:8']);
    expect(ds[0]).toMatchObject({ message: `"hihg" is not a valid 'level'`, label: "did you mean 'high'?" });
    expect(ds[0]?.notes).toEqual(['expected one of: informational, low, medium, high, critical']);
  });

  it('reports a date not written YYYY-MM-DD', () => {
    const ds = validate(`${VALID_RULE}date: 2023/01/05\nmodified: 2023-13-01\n`);
    expect(wheres(ds)).toEqual(['RC104 12:7', 'RC104 13:11']);
    expect(ds[0]?.message).toBe(`'date' "2023/01/05" is not a date written YYYY-MM-DD`);
  });

  it('warns on an unknown top-level key close to a known one, at the key', () => {
    const ds = validate(`${VALID_RULE}falsepositive:\n  - admins\nrisk_scor: 5\n`);
    expect(wheres(ds)).toEqual(['RC120 12:1', 'RC120 14:1']);
    expect(ds.map((d) => [d.severity, d.label])).toEqual([
      ['warning', "did you mean 'falsepositives'?"],
      ['warning', "did you mean 'risk_score'?"],
    ]);
  });

  it('accepts custom top-level keys far from any known key', () => {
    expect(validate(`${VALID_RULE}regression_tests_path: x/info.yml\ncustom_thing: 1\n`)).toEqual([]);
  });

  it('reports an unknown key inside a closed map at the key, with a suggestion', () => {
    const ds = validate(`${VALID_RULE}schedule:\n  interval: 10m\n  lokback: 11m\n`);
    expect(wheres(ds)).toEqual(['RC105 14:3']);
    expect(ds[0]).toMatchObject({ message: "unknown key 'lokback' in 'schedule'", label: "did you mean 'lookback'?" });
  });

  it('checks the extension keys', () => {
    const ds = validate(
      `${VALID_RULE}schedule: {interval: 5x}\nmax_alerts: 0\nrisk_score: 101\nversion: 1.5\ntargets: {elastic: 3}\n`,
    );
    expect(wheres(ds)).toEqual(['RC104 12:22', 'RC106 13:13', 'RC106 14:13', 'RC102 15:10', 'RC102 16:20']);
  });

  it('reports wrong types with what was found', () => {
    const ds = validate(VALID_RULE.replace('title: Test rule', 'title: [a, b]'));
    expect(wheres(ds)).toEqual(['RC102 1:8']);
    expect(ds[0]?.message).toBe("'title' must be a string, not a list");
  });

  it('checks tags: pattern and duplicates', () => {
    const ds = validate(`${VALID_RULE}tags:\n  - attack.T1562\n  - attack.t1562\n  - attack.t1562\n`);
    expect(wheres(ds)).toEqual(['RC104 13:5', 'RC107 15:5']);
  });

  it('accepts a condition list and rejects an empty or non-string condition', () => {
    expect(validate(VALID_RULE.replace('condition: selection', 'condition: [selection, selection]'))).toEqual([]);
    expect(wheres(validate(VALID_RULE.replace('condition: selection', 'condition: 5')))).toEqual(['RC102 11:14']);
    expect(validate(VALID_RULE.replace('condition: selection', 'condition: 5'))[0]?.message).toBe(
      "'detection.condition' must be a string or a list, not the number 5",
    );
  });

  it('rejects a detection that is not a map and an empty search identifier', () => {
    expect(wheres(validate(VALID_RULE.replace(/detection:[\s\S]*$/, 'detection: selection\n')))).toEqual([
      'RC102 8:12',
    ]);
    const ds = validate(
      VALID_RULE.replace('  selection:\n    Operation: Set-MailboxAuditBypassAssociation\n', '  selection:\n'),
    );
    expect(wheres(ds)).toEqual(['RC102 9:3']);
  });

  it('accepts rule tests in both shapes and explains the one that is wrong', () => {
    const ok = `${VALID_RULE}tests:\n  - name: hit\n    event: {Operation: x}\n    match: true\n  - file: events/miss.json\n    match: false\n`;
    expect(validate(ok)).toEqual([]);
    const ds = validate(
      `${VALID_RULE}tests:\n  - event: {Operation: x}\n    match: yes\n  - name: nothing\n    match: true\n`,
    );
    expect(wheres(ds)).toEqual(['RC102 14:12', 'RC101 15:5']);
    expect(ds.map((d) => d.message)).toEqual([
      `'tests[0].match' must be a boolean, not the string "yes"`,
      "missing required field 'event' or 'file' in 'tests[1]'",
    ]);
  });

  it('reports every problem of a document together, sorted by position', () => {
    const text = VALID_RULE.replace('level: high', 'level: 3')
      .replace('status: test', 'status: testing')
      .replace('title: Test rule\n', '');
    expect(wheres(validate(text))).toEqual(['RC101 1:1', 'RC103 2:9', 'RC103 3:8']);
  });

  it('locates keys that contain / and ~ (JSON Pointer escapes)', () => {
    const ds = validate(`${VALID_RULE}schedule:\n  a/b~c: 1\n`);
    expect(wheres(ds)).toEqual(['RC105 13:3']);
    expect(splitPointer('/x/a~1b~0c/~01')).toEqual(['x', 'a/b~c', '~1']);
  });

  it('accepts logsource keys beyond the known ones', () => {
    expect(validate(VALID_RULE.replace('  service: audit', '  service: audit\n  vendor: microsoft'))).toEqual([]);
  });
});

describe('suggestions', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('contians', 'contains')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests only close candidates, stricter for short words', () => {
    expect(closest('lokback', ['interval', 'lookback'])).toBe('lookback');
    expect(closest('os', ['id', 'tags'])).toBeUndefined();
    expect(closest('idd', ['id'])).toBe('id');
    expect(closest('completely_different', ['title'])).toBeUndefined();
  });
});
