import { describe, expect, it } from 'vitest';
import * as b from '../../../src/ir/build.js';
import { linearOnV8, regexSafety, searchForm } from '../../../backends/js/regex-safety.js';
import { compileRegexVm } from '../../../backends/js/runtime/regex-vm.js';
import { compile } from './load.js';

const CASED = { ignoreCase: false };

/**
 * Catastrophic patterns with an input that makes V8 backtrack for seconds (or forever). They used to be refused
 * (JS001); they now run on the runtime's linear-time engine (regex-vm.js), so refusing them is no longer needed.
 */
const CATASTROPHIC: readonly string[] = [
  '^(a+)+$',
  '(a|a)*$',
  '^(.*)*$',
  '(a*)*b',
  '^(a|aa)+$',
  '^(\\w+\\s?)+$',
  '(x+x+)+y',
  '^(([a-z])+.)+[A-Z]([a-z])+$',
  '(.*a){12}',
  '^(a?){25}a{25}$',
  '(\\d+)*x',
  '^([a-zA-Z0-9])(([\\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$',
  '\\d+\\d+$',
  '(a|ab)*c',
  'a.*b.*c',
  '\\s+.*=.*;',
];

/** Patterns of the kind SigmaHQ rules use, which must stay accepted. */
const ACCEPTED: readonly string[] = [
  '\\\\(cmd|powershell)\\.exe$',
  '(?:\\d{1,3}\\.){3}\\d{1,3}',
  '^[A-Za-z0-9+/]{50,}={0,2}$',
  '.*\\\\AppData\\\\.*\\.exe',
  '(\\w+\\s)+done',
  '-[eE][nN][cC]\\s+[A-Za-z0-9+/=]{20,}',
  '^(ab+)+$',
  '\\$\\{jndi:(ldap|rmi|dns)://',
  '[\\u2013\\u2014]enc',
];

describe('regexSafety', () => {
  for (const source of CATASTROPHIC) {
    it(`runs ${source} on the linear-time engine`, () => {
      expect(regexSafety(source, CASED)).toEqual({ safe: true, engine: 'vm' });
    });
  }
  for (const source of ACCEPTED) {
    it(`accepts ${source}`, () => {
      expect(regexSafety(source, CASED).safe).toBe(true);
    });
  }

  it('leaves to V8 only patterns whose backtracking is bounded by construction', () => {
    const v8 = [
      'foo',
      '\\\\(cmd|powershell)\\.exe$',
      '(?:\\d{1,3}\\.){3}\\d{1,3}',
      '.*\\\\foo',
      'cmd\\.exe.*',
      '^foo\\s+',
      'a|b.*',
      '\\bwhoami\\b',
      '[\\u2013\\u2014]enc',
    ];
    const vm = [
      'a.*b',
      '\\d+$',
      '\\s+x',
      '(a|a){20}',
      '(ab+)?',
      '\\w{1,200}\\w{1,200}',
      '^[A-Za-z0-9+/]{50,}={0,2}$',
      '.*\\\\AppData\\\\.*\\.exe',
    ];
    for (const source of v8) expect(regexSafety(source, CASED), source).toEqual({ safe: true, engine: 'v8' });
    for (const source of vm) expect(regexSafety(source, CASED), source).toEqual({ safe: true, engine: 'vm' });
    // V8 takes quadratic time on the unbounded runs the criterion sends to the linear-time engine.
    expect(linearOnV8('a.*b')).toBe(false);
    expect(linearOnV8('(a)\\1')).toBe(false);
  });

  it('drops a leading .* only where search semantics make it redundant', () => {
    expect(searchForm('.*\\\\foo')).toBe('\\\\foo');
    expect(searchForm('.*?.*x')).toBe('x');
    expect(searchForm('.*a|b')).toBe('.*a|b');
    expect(searchForm('\\.*x')).toBe('\\.*x');
    for (const [source, text] of [
      ['.*ab', 'xxab'],
      ['.*ab', 'a\nb'],
    ] as const)
      expect(new RegExp(searchForm(source)).test(text)).toBe(new RegExp(source).test(text));
  });

  it('rejects backreferences, look-around and patterns too large for the linear-time engine', () => {
    for (const source of ['(a)\\1', '(?<x>a)\\k<x>', 'a(?=b)', 'a(?!b)', '(?<=a)b', '(?<!a)b', '(a.*){5000}'])
      expect(regexSafety(source, CASED).safe, source).toBe(false);
  });

  // Every pattern runs on the engine the verdict picks, as the generated module does; both are linear there.
  it('every pattern stays fast on adversarial 50,000-character input', () => {
    const inputs = ['a'.repeat(50_000), `${'a '.repeat(25_000)}!`, '1.'.repeat(25_000), '\\'.repeat(50_000)];
    for (const source of [...ACCEPTED, ...CATASTROPHIC]) {
      const verdict = regexSafety(source, CASED);
      const regex =
        verdict.safe && verdict.engine === 'v8'
          ? new RegExp(searchForm(source), 'u')
          : compileRegexVm(searchForm(source), 'u');
      const start = performance.now();
      for (const input of inputs) regex.test(input);
      expect(performance.now() - start, source).toBeLessThan(1000);
    }
  });

  it('decides every classic pattern quickly', () => {
    const start = performance.now();
    for (const source of [...CATASTROPHIC, ...ACCEPTED]) regexSafety(source, CASED);
    regexSafety(`${'(a|b)'.repeat(200)}`, CASED);
    expect(performance.now() - start).toBeLessThan(1000);
  });

  it('the catastrophic inputs really are catastrophic for the accepted-looking neighbour', () => {
    // Sanity check of the premise on a small input: (a+)+$ already costs far more than a+$ at 22 characters.
    const text = `${'a'.repeat(22)}!`;
    let start = performance.now();
    /^(a+)+$/.test(text);
    const nested = performance.now() - start;
    start = performance.now();
    /^a+$/.test(text);
    const flat = performance.now() - start;
    expect(nested).toBeGreaterThan(flat);
  });
});

describe('regexes in compiled rules', () => {
  it('refuses a regex the linear-time engine cannot run with JS001 naming the reason', () => {
    const result = compile(b.regexMatch('F', '(a)\\1', { ignoreCase: false, multiline: false, dotAll: false }));
    expect(result.status).toBe('refused');
    expect(result.diagnostics[0]?.code).toBe('JS001');
    expect(result.diagnostics[0]?.message).toContain('backreferences are not supported');
  });

  it('compiles a catastrophic regex to the linear-time engine instead of refusing it', () => {
    const result = compile(b.regexMatch('F', '^(a+)+$', { ignoreCase: true, multiline: false, dotAll: false }));
    expect(result.status).toBe('ok');
    expect(result.compiled?.query.query).toContain('const r0 = rt.compileRegexVm("^(a+)+$", "iu");');
  });

  it('warns when the regex only compiles without the unicode flag', () => {
    const result = compile(b.regexMatch('F', 'a\\-b', { ignoreCase: false, multiline: false, dotAll: false }));
    expect(result.status).toBe('warnings');
    expect(result.diagnostics.map((d) => d.code)).toEqual(['JS003']);
    expect(result.compiled?.query.query).toContain('new RegExp("a\\\\-b", "")');
  });

  it('hoists the regex as a JSON string with its flags', () => {
    const result = compile(b.regexMatch('F', 'x.y', { ignoreCase: true, multiline: true, dotAll: true }));
    expect(result.compiled?.query.query).toContain('const r0 = new RegExp("x.y", "imsu");');
  });
});
