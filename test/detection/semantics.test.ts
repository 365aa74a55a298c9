import { describe, expect, it } from 'vitest';
import { buildDetection } from '../../src/detection/index.js';
import { codeInfo } from '../../src/diagnostics/codes.js';
import { DETECTION_CODES } from '../../src/diagnostics/detection-codes.js';
import { detect, errorsOf, loadRule, sel, show, where } from './helpers.js';

describe('detection semantics', () => {
  it('a map is AND, a list of values under a field is OR', () => {
    const r = sel(`Image: 'a.exe'\nCommandLine:\n  - x\n  - y`);
    expect(r.diagnostics).toEqual([]);
    expect(show(r.node)).toBe('and(Image="a.exe", or(CommandLine="x", CommandLine="y"))');
  });

  it('a list of maps is OR of ANDs', () => {
    const r = sel(`- A: 1\n  B: 2\n- C: 3`);
    expect(show(r.node)).toBe('or(and(A=#1, B=#2), C=#3)');
  });

  it('plain values and a bare string under an identifier are keywords, OR-linked', () => {
    expect(show(sel(`- 'evil thing'\n- svc.exe`).node)).toBe('or(kw("evil thing"), kw("svc.exe"))');
    expect(show(detect(`detection:\n  kw: 'alone'\n  condition: kw\n`).node)).toBe('kw("alone")');
  });

  it("'|all' AND-links keywords", () => {
    const r = sel(`'|all':\n  - foo\n  - bar`);
    expect(show(r.node)).toBe('and(kw("foo"), kw("bar"))');
  });

  it('maps YAML scalars to typed leaves', () => {
    const r = sel(`N: 4688\nT: true\nZ: null\nE: ''\nH: '0x17'`);
    expect(show(r.node)).toBe('and(N=#4688, T=true, Z=null, E="", H="0x17")');
  });

  it('keeps field names with spaces, dots and other characters', () => {
    const r = sel(`'Event Data.Some-Field': x\nid.resp_h: y`);
    expect(show(r.node)).toBe('and(Event Data.Some-Field="x", id.resp_h="y")');
  });

  it('records where each leaf came from', () => {
    const r = sel(`A:\n  - x\n  - y`);
    expect(r.node.kind).toBe('or');
    if (r.node.kind === 'or') expect(r.node.children[1]!.origin?.path).toEqual(['detection', 'sel', 'A', 1]);
  });

  it('rejects a nested map as a field value and an empty list', () => {
    expect(errorsOf(sel(`A:\n  b: c`))).toEqual(['RC215']);
    expect(errorsOf(sel(`A: []`))).toEqual(['RC216']);
  });

  it('reports every problem of a detection together', () => {
    const r = detect(`detection:\n  a:\n    X|contians: 1\n  b:\n    Y|cidr: 10.0.0.1/8\n  condition: a and c\n`);
    expect(errorsOf(r)).toEqual(['RC201', 'RC207', 'RC303']);
    expect(show(r.node)).toBe('false');
  });
});

describe('buildDetection entry', () => {
  it('honours a non-default document path (filter rules keep their selection under filter:)', () => {
    const { data, locator } = loadRule(['filter:', '  sel:', '    A|contians: x', '  condition: sel', ''].join('\n'));
    const r = buildDetection(data['filter'] as Record<string, unknown>, locator, ['filter']);
    expect(where(r)).toEqual(['RC201 3:7']);
  });

  it('ignores an obsolete timeframe key with a warning', () => {
    const r = detect('detection:\n  a:\n    A: 1\n  timeframe: 5m\n  condition: a\n');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['RC219']);
    expect(show(r.node)).toBe('A=#1');
  });

  it('registers every code it reports with a summary', () => {
    for (const [code, info] of Object.entries(DETECTION_CODES)) {
      expect(codeInfo(code)).toBe(info);
      expect(info.summary.length).toBeGreaterThan(10);
    }
  });
});
