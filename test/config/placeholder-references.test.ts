/**
 * Placeholders resolved through lists the target keeps (issue 12 §4): Splunk lookups and macros, Sentinel
 * watchlists, Elastic value lists (rule exceptions), values for the JS predicate; negation, the configuration's
 * checks (hostile names, two references, references a target has not), and the placeholder rules of
 * test/config/placeholder-rules/ (written in the style of SigmaHQ's rules-placeholder folder) compiling once
 * configured and refusing, one line per missing placeholder, when not.
 */
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../backends/index.js';
import type { KustoChecker } from '../../backends/sentinel/kusto-check.js';
import { createKustoChecker, tablesFromPipeline } from '../../backends/sentinel/kusto-check.js';
import type { Backend, MappedRule } from '../../src/backend/types.js';
import type { TargetResult } from '../../src/compile.js';
import { compileRule } from '../../src/compile.js';
import type { Site } from '../../src/config/site.js';
import { openConfig, resolveSite } from '../../src/config/site.js';
import { readRuleFile } from '../../src/frontend.js';
import * as b from '../../src/ir/build.js';
import { importPredicate } from '../fidelity/js-module.js';
import { processRule, project } from './fixtures.js';

const RULES = join(import.meta.dirname, 'placeholder-rules');
const FIXTURES = readdirSync(RULES)
  .filter((f) => f.endsWith('.yml'))
  .sort();

const backend = (id: string): Backend => BACKENDS.find((t) => t.id === id)!;

function site(dir: string, ids = BACKENDS.map((t) => t.id)): Site {
  const options = { cwd: dir };
  return resolveSite(BACKENDS, ids, options, openConfig(BACKENDS, options));
}

function compile(dir: string, file: string, s: Site, target: string): TargetResult {
  const [rule] = readRuleFile(join(dir, file), readFileSync(join(dir, file))).rules;
  return compileRule(rule!, { backend: backend(target), pipeline: s.pipelines[target]! });
}

/** A project holding the placeholder rules under rules/ and the given configuration. */
function rulesProject(config: string, extra: Record<string, string> = {}): string {
  const dir = project({ 'rulec.config.yml': config, ...extra });
  cpSync(RULES, join(dir, 'rules'), { recursive: true });
  return dir;
}

const lines = (r: TargetResult, severity = 'error'): string[] =>
  r.diagnostics.filter((d) => d.severity === severity).map((d) => `${d.code} ${d.message}`);

/**
 * A process rule whose list placeholder (`listTest`) is OR-ed with another test (`otherTest`), compiled for
 * `target` twice: with the list reference alone (`placeholder`: the target cannot place it there), and with its
 * values configured too (`withValues`: they can be expanded instead).
 */
function listInsideOr(
  target: string,
  listTest: string,
  otherTest: string,
  placeholder: string,
  withValues: string,
): { refused: TargetResult; expanded: TargetResult } {
  const rule = processRule(`selection:
  Image|endswith: '\\whoami.exe'
sel_user:
  ${listTest}
sel_cmd:
  ${otherTest}`).replace('condition: selection', 'condition: selection and (sel_user or sel_cmd)');
  const run = (spec: string): TargetResult => {
    const dir = project({
      'rules/r.yml': rule,
      'rulec.config.yml': `targets:\n  ${target}: { placeholders: { admins: ${spec} } }\n`,
    });
    return compile(dir, 'rules/r.yml', site(dir, [target]), target);
  };
  return { refused: run(placeholder), expanded: run(withValues) };
}

/** Every target configured: references where the target has them, values for the rest (and the JS predicate). */
const CONFIGURED = `placeholders:
  admin_workstations: [WS-ADM-01, WS-ADM-02]
  internal_domains: [corp.example]
targets:
  sentinel:
    placeholders:
      admin_users: { watchlist: AdminUsers }
      admin_workstations: { watchlist: AdminWorkstations, column: Hostname }
      service_accounts: { watchlist: ServiceAccounts }
      jump_host_ips: { watchlist: JumpHosts }
  splunk:
    placeholders:
      admin_users: { lookup: admin_users.csv, column: user }
      admin_workstations: { macro: admin_workstations }
      service_accounts: { lookup: service_accounts }
      jump_host_ips: { lookup: jump_hosts, column: ip }
  elastic:
    placeholders:
      admin_users: { valueList: admin-users, values: ['CORP\\alice'] }
      admin_workstations: { valueList: admin-workstations }
      service_accounts: { valueList: service-accounts }
      jump_host_ips: { valueList: jump-host-ips }
  js:
    placeholders:
      admin_users: ['CORP\\alice', alice]
      service_accounts: [svc_backup]
      jump_host_ips: [10.0.0.5]
`;

describe('the placeholder rules', () => {
  let dir: string;
  let s: Site;
  let kusto: KustoChecker;
  beforeAll(() => {
    dir = rulesProject(CONFIGURED);
    s = site(dir);
    kusto = createKustoChecker(tablesFromPipeline(s.pipelines['sentinel']!));
  });

  it('are the five fixtures, each using at least one placeholder', () => {
    expect(FIXTURES).toHaveLength(5);
    for (const f of FIXTURES) expect(readFileSync(join(RULES, f), 'utf8')).toMatch(/\|expand(\|\w+)?: '%\w+%'/);
  });

  it('compile in all four targets once configured; every Sentinel query binds with 0 Kusto errors', () => {
    expect(s.diagnostics).toEqual([]);
    for (const f of FIXTURES)
      for (const t of BACKENDS) {
        const r = compile(dir, `rules/${f}`, s, t.id);
        expect(lines(r), `${f} ${t.id}`).toEqual([]);
        expect(r.status, `${f} ${t.id}`).not.toBe('refused');
        if (t.id === 'sentinel') expect(kusto.errors(r.compiled!.query.query), f).toEqual([]);
      }
  });

  it('refuse when not configured, one line per missing placeholder naming it, in every target', () => {
    const bare = rulesProject('rules: rules\n');
    const none = site(bare);
    for (const t of BACKENDS) {
      expect(lines(compile(bare, 'rules/admin_logon_outside_admin_workstations.yml', none, t.id))).toEqual([
        `RC209 placeholder %admin_users% has no value for ${t.id}: set placeholders.admin_users in rulec.config.yml`,
        `RC209 placeholder %admin_workstations% has no value for ${t.id}: set placeholders.admin_workstations in rulec.config.yml`,
      ]);
      expect(lines(compile(bare, 'rules/failed_logon_of_service_accounts.yml', none, t.id))).toEqual([
        `RC209 placeholder %service_accounts% has no value for ${t.id}: set placeholders.service_accounts in rulec.config.yml`,
      ]);
    }
    // Located on the placeholder's value in the rule.
    const r = compile(bare, 'rules/failed_logon_of_service_accounts.yml', none, 'splunk');
    expect(r.diagnostics[0]!.at?.path).toEqual(['detection', 'selection', 'TargetUserName|expand']);
  });
});

describe('Splunk: lookups and macros', () => {
  const s0 = () => {
    const dir = rulesProject(CONFIGURED);
    return { dir, s: site(dir, ['splunk']) };
  };

  it('a lookup is an inputlookup subsearch renamed to the field; a macro gets the field as its argument; NOT negates both', () => {
    const { dir, s } = s0();
    const q = (f: string) => compile(dir, `rules/${f}`, s, 'splunk').compiled!.query.query;
    expect(q('admin_logon_outside_admin_workstations.yml')).toBe(
      'source="XmlWinEventLog:Security" EventCode=4624 [| inputlookup admin_users.csv | fields user | rename user AS TargetUserName] NOT `admin_workstations(WorkstationName)`',
    );
    expect(q('failed_logon_of_service_accounts.yml')).toBe(
      'source="XmlWinEventLog:Security" EventCode=4625 [| inputlookup service_accounts | fields value | rename value AS TargetUserName]',
    );
    expect(q('rdp_from_outside_jump_hosts.yml')).toBe(
      'source="XmlWinEventLog:Security" EventCode=4624 LogonType=10 NOT ([| inputlookup jump_hosts | fields ip | rename ip AS IpAddress] OR `admin_workstations(WorkstationName)`)',
    );
    expect(q('psexec_by_non_admin.yml')).toContain(
      'Image="*\\\\psexec.exe" NOT [| inputlookup admin_users.csv | fields user | rename user AS User]',
    );
  });

  it('a lookup that would have to go into | where is refused (SP630), or its values expanded there', () => {
    const { refused, expanded: r } = listInsideOr(
      'splunk',
      "User|expand: '%admins%'",
      "CommandLine|re: 'a.*b'",
      '{ lookup: admins }',
      "{ lookup: admins, values: ['CORP\\alice'] }",
    );
    expect(refused.status).toBe('refused');
    expect(lines(refused).map((l) => l.slice(0, 5))).toEqual(['SP630']);
    expect(lines(refused)[0]).toContain("the lookup 'admins' (%admins%) would have to be tested in | where");
    expect(lines(r)).toEqual([]);
    expect(r.compiled!.query.query).toContain('| where match(User, "(?i)^CORP\\\\\\\\alice$") OR');
  });

  it('a field a macro argument cannot carry is refused (SP631)', () => {
    const dir = project({
      'rules/r.yml': processRule("selection:\n  Image|endswith: '\\whoami.exe'\n  Odd-Field|expand: '%admins%'"),
      'rulec.config.yml': 'targets:\n  splunk: { placeholders: { admins: { macro: admins } } }\n',
    });
    const r = compile(dir, 'rules/r.yml', site(dir, ['splunk']), 'splunk');
    expect(lines(r).map((l) => l.slice(0, 5))).toEqual(['SP631']);
  });
});

describe('Sentinel: watchlists', () => {
  it('in~ over _GetWatchlist(…) | project SearchKey (or column_ifexists of the configured column); not(…) negates', () => {
    const dir = rulesProject(CONFIGURED);
    const s = site(dir, ['sentinel']);
    const q = (f: string) => compile(dir, `rules/${f}`, s, 'sentinel').compiled!.query.query;
    expect(q('admin_logon_outside_admin_workstations.yml')).toBe(
      'SecurityEvent\n| where EventID == 4624 and TargetUserName in~ (_GetWatchlist("AdminUsers") | project SearchKey) and not(WorkstationName in~ (_GetWatchlist("AdminWorkstations") | project tostring(column_ifexists("Hostname", ""))))',
    );
    expect(q('rdp_from_outside_jump_hosts.yml')).toBe(
      'SecurityEvent\n| where EventID == 4624 and LogonType == 10 and not(IpAddress in~ (_GetWatchlist("JumpHosts") | project SearchKey) or WorkstationName in~ (_GetWatchlist("AdminWorkstations") | project tostring(column_ifexists("Hostname", ""))))',
    );
  });

  it('|cased uses the case-sensitive in', () => {
    const dir = project({
      'rules/r.yml': processRule("selection:\n  Image|endswith: '\\whoami.exe'\n  User|expand|cased: '%admins%'"),
      'rulec.config.yml': 'targets:\n  sentinel: { placeholders: { admins: { watchlist: Admins } } }\n',
    });
    const r = compile(dir, 'rules/r.yml', site(dir, ['sentinel']), 'sentinel');
    expect(r.compiled!.query.query).toContain('User in (_GetWatchlist("Admins") | project SearchKey)');
  });

  it('the Kusto check knows _GetWatchlist: a misspelt function is still an error', () => {
    const checker = createKustoChecker({ SecurityEvent: { TargetUserName: 'string' } });
    expect(checker.errors('SecurityEvent | where TargetUserName in~ (_GetWatchlist("A") | project SearchKey)')).toEqual(
      [],
    );
    expect(
      checker
        .errors('SecurityEvent | where TargetUserName in~ (_GetWatchlis("A") | project SearchKey)')
        .map((e) => e.code),
    ).toEqual(['KS211']);
  });
});

describe('Elastic: value lists as rule exceptions', () => {
  let dir: string;
  let s: Site;
  beforeAll(() => {
    dir = rulesProject(CONFIGURED);
    s = site(dir, ['elastic']);
  });

  it('a negated list is an `included` entry, a positive one `excluded`; the query keeps the rest', () => {
    const r = compile(dir, 'rules/admin_logon_outside_admin_workstations.yml', s, 'elastic');
    expect(r.compiled!.query.query).toBe('winlog.channel:Security and event.code:4624');
    expect(r.compiled!.query.extra?.['exceptions']).toEqual([
      [
        {
          field: 'winlog.event_data.TargetUserName',
          list: { id: 'admin-users', type: 'keyword' },
          operator: 'excluded',
          type: 'list',
        },
      ],
      [
        {
          field: 'winlog.event_data.WorkstationName',
          list: { id: 'admin-workstations', type: 'keyword' },
          operator: 'included',
          type: 'list',
        },
      ],
    ]);
    // Exact terms: the case loss is named.
    expect(lines(r, 'warning').map((l) => l.slice(0, 5))).toEqual(['EL601', 'EL601']);
  });

  it('not (a or b) is one item per list; an ip field gets an ip list and no case warning', () => {
    const r = compile(dir, 'rules/rdp_from_outside_jump_hosts.yml', s, 'elastic');
    expect(r.compiled!.query.query).toBe(
      'winlog.channel:Security and event.code:4624 and winlog.event_data.LogonType:10',
    );
    const items = r.compiled!.query.extra?.['exceptions'] as { list: { type: string }; operator: string }[][];
    expect(items.map((i) => i.map((e) => `${e.operator} ${e.list.type}`))).toEqual([
      ['included ip'],
      ['included keyword'],
    ]);
    expect(lines(r, 'warning')).toHaveLength(1);
  });

  it('the artifacts: exceptions_list on the rule, the container and items beside it and after the rules in the bundle', () => {
    const r = compile(dir, 'rules/failed_logon_of_service_accounts.yml', s, 'elastic');
    const report = { warn() {}, refuse() {}, info() {} };
    const files = backend('elastic').renderArtifacts(r.compiled!, report);
    expect(files.map((f) => f.path)).toEqual([
      '3c9a1e4f-7b2d-4e58-a6c0-9f1d2b3e4a52.json',
      '3c9a1e4f-7b2d-4e58-a6c0-9f1d2b3e4a52.exceptions.ndjson',
    ]);
    const rule = JSON.parse(files[0]!.content) as Record<string, unknown>;
    expect(rule['exceptions_list']).toEqual([
      {
        id: '3c9a1e4f-7b2d-4e58-a6c0-9f1d2b3e4a52-placeholders',
        list_id: '3c9a1e4f-7b2d-4e58-a6c0-9f1d2b3e4a52-placeholders',
        namespace_type: 'single',
        type: 'detection',
      },
    ]);
    const objects = files[1]!.content
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objects.map((o) => [o['type'], o['list_id']])).toEqual([
      ['detection', '3c9a1e4f-7b2d-4e58-a6c0-9f1d2b3e4a52-placeholders'],
      ['simple', '3c9a1e4f-7b2d-4e58-a6c0-9f1d2b3e4a52-placeholders'],
    ]);
    expect(objects[1]!['entries']).toEqual([
      {
        field: 'winlog.event_data.TargetUserName',
        list: { id: 'service-accounts', type: 'keyword' },
        operator: 'excluded',
        type: 'list',
      },
    ]);
    const other = compile(dir, 'rules/share_access_to_internal_domain.yml', s, 'elastic');
    const bundle = backend('elastic').renderBundle!([r.compiled!, other.compiled!])[0]!.content.trim().split('\n');
    expect(bundle.map((l) => (JSON.parse(l) as { type: string }).type)).toEqual([
      'query',
      'eql',
      'detection',
      'simple',
    ]);
    // A rule without value lists has no exceptions: its artifacts are unchanged.
    expect(backend('elastic').renderArtifacts(other.compiled!, report)).toHaveLength(1);
    expect(JSON.parse(backend('elastic').renderArtifacts(other.compiled!, report)[0]!.content)).not.toHaveProperty(
      'exceptions_list',
    );
  });

  it('a list inside an OR cannot be an exception: refused (EL600), or its values expanded', () => {
    const { refused, expanded: r } = listInsideOr(
      'elastic',
      "CommandLine|expand: '%admins%'",
      "CommandLine|contains: '/priv'",
      '{ valueList: admins }',
      '{ valueList: admins, values: [root] }',
    );
    expect(refused.status).toBe('refused');
    expect(lines(refused).map((l) => l.slice(0, 5))).toEqual(['EL600']);
    expect(lines(r)).toEqual([]);
    expect(r.compiled!.query.query).toMatch(/process\.command_line : "root" or process\.command_line : "\*\/priv\*"/);
    expect(r.compiled!.query.extra?.['exceptions']).toBeUndefined();
  });

  it('a split field (Sysmon User) takes the configured values, since a list holds whole values', () => {
    const r = compile(dir, 'rules/psexec_by_non_admin.yml', s, 'elastic');
    expect(lines(r)).toEqual([]);
    expect(r.compiled!.query.query).toContain('user.domain');
    expect(r.compiled!.query.query).toContain('"alice"');
  });
});

describe('JS: values only', () => {
  it('the predicate matches the configured values, negation included', async () => {
    const dir = rulesProject(CONFIGURED);
    const s = site(dir, ['js']);
    const match = await importPredicate(
      compile(dir, 'rules/admin_logon_outside_admin_workstations.yml', s, 'js').compiled!.query.query,
    );
    const event = (user: string, ws: string) => ({
      Channel: 'Security',
      EventID: 4624,
      TargetUserName: user,
      WorkstationName: ws,
    });
    expect(match(event('ALICE', 'LAPTOP-7'))).toBe(true);
    expect(match(event('alice', 'ws-adm-01'))).toBe(false);
    expect(match(event('bob', 'LAPTOP-7'))).toBe(false);
  });

  it('a reference given for js is a located configuration error (RC607)', () => {
    const dir = rulesProject('targets:\n  js: { placeholders: { admin_users: { watchlist: Admins } } }\n');
    expect(site(dir, ['js']).diagnostics.map((d) => [d.code, d.message, d.span?.start.line])).toEqual([
      ['RC607', 'js cannot resolve %admin_users% through a watchlist', 2],
    ]);
  });
});

describe('references and values', () => {
  it("a target's reference keeps the top-level values for where it cannot use the reference (RC614 without them)", () => {
    const rule = processRule("selection:\n  Image|endswith: '\\net.exe'\n  CommandLine|expand|contains: '%domains%'");
    const refOnly = project({
      'rules/r.yml': rule,
      'rulec.config.yml': 'targets:\n  sentinel: { placeholders: { domains: { watchlist: Domains } } }\n',
    });
    const refused = compile(refOnly, 'rules/r.yml', site(refOnly, ['sentinel']), 'sentinel');
    expect(lines(refused)).toEqual([
      "RC614 placeholder %domains% is the sentinel watchlist 'Domains', which holds whole values, but here it is part of a larger value: give its values too (values: or file:) to expand them",
    ]);
    const withTop = project({
      'rules/r.yml': rule,
      'rulec.config.yml':
        'placeholders:\n  domains: [corp.example]\ntargets:\n  sentinel: { placeholders: { domains: { watchlist: Domains } } }\n',
    });
    const r = compile(withTop, 'rules/r.yml', site(withTop, ['sentinel']), 'sentinel');
    expect(r.compiled!.query.query).toContain('ProcessCommandLine contains "corp.example"');
  });

  it('values from a file next to a reference', () => {
    const dir = project({
      'rules/r.yml': processRule("selection:\n  Image|endswith: '\\whoami.exe'\n  User|expand: '%admins%'"),
      'admins.txt': 'CORP\\alice\n',
      'rulec.config.yml':
        'targets:\n  elastic: { placeholders: { admins: { valueList: admins, file: admins.txt } } }\n',
    });
    const s = site(dir, ['elastic']);
    expect(s.pipelines['elastic']!.placeholders!['admins']).toEqual({
      reference: { kind: 'valueList', name: 'admins' },
      values: ['CORP\\alice'],
      from: 'rulec.config.yml:targets.elastic.placeholders.admins',
    });
  });
});

describe('configuration checks', () => {
  const errors = (config: string, ids: string[]) =>
    site(project({ 'rulec.config.yml': config, 'a.txt': 'x\n' }), ids).diagnostics.map(
      (d) => `${d.code} ${d.span?.start.line}:${d.span?.start.col} ${d.message}`,
    );

  it('hostile names and columns are refused where they are written (RC612), nothing reaches a query', () => {
    expect(
      errors(
        `targets:
  sentinel:
    placeholders:
      a: { watchlist: "x\\") | union (SecurityEvent" }
      b: { watchlist: Admins, column: "SearchKey) | take 1 //" }
  splunk:
    placeholders:
      c: { lookup: "admins | delete" }
      d: { macro: "m\`" }
  elastic:
    placeholders:
      e: { valueList: "../lists/x" }
`,
        ['sentinel', 'splunk', 'elastic'],
      ),
    ).toEqual([
      'RC612 4:23 sentinel watchlist name "x\\") | union (SecurityEvent" for %a% is not a watchlist alias (letters, digits, _ -; at most 64)',
      'RC612 5:39 column "SearchKey) | take 1 //" of %b% is not a plain column name (letters, digits, _)',
      'RC612 8:20 splunk lookup name "admins | delete" for %c% is not a lookup name (letters, digits, _ . -)',
      'RC612 9:19 splunk macro name "m`" for %d% is not a macro name (letters, digits, _ -)',
      'RC612 12:23 elastic valueList name "../lists/x" for %e% is not a value list id (letters, digits, _ . -)',
    ]);
  });

  it('two references, two value sources, a column on a macro (RC613); a reference of another target (RC607)', () => {
    expect(
      errors(
        `targets:
  splunk:
    placeholders:
      a: { lookup: a, macro: b }
      b: { lookup: a, values: [x], file: a.txt }
      c: { macro: m, column: user }
      d: { watchlist: W }
`,
        ['splunk'],
      ),
    ).toEqual([
      "RC613 4:23 placeholder %a% names two references ('lookup' and 'macro')",
      "RC613 5:36 placeholder %b% gives its values twice ('values' and 'file')",
      'RC613 6:22 a splunk macro has no column to choose (placeholder %c%)',
      'RC607 7:12 splunk cannot resolve %d% through a watchlist',
    ]);
  });

  it('an unknown reference key is a schema error with "did you mean"', () => {
    const d = site(
      project({ 'rulec.config.yml': 'targets:\n  sentinel: { placeholders: { a: { watchlst: W } } }\n' }),
      ['sentinel'],
    ).diagnostics;
    expect(d.map((x) => [x.code, x.message, x.label])).toEqual([
      ['RC105', "unknown key 'watchlst' in 'targets.sentinel.placeholders.a'", "did you mean 'watchlist'?"],
    ]);
  });
});

describe('the renderers check names again (a list reference built without the configuration)', () => {
  it('hostile names are refused in every target, never written', () => {
    const dir = rulesProject(CONFIGURED);
    const s = site(dir);
    for (const [target, kind, code] of [
      ['splunk', 'lookup', 'SP632'],
      ['splunk', 'macro', 'SP632'],
      ['sentinel', 'watchlist', 'SN130'],
      ['elastic', 'valueList', 'EL600'],
      ['js', 'watchlist', 'RC615'],
    ] as const) {
      const compiled = compile(dir, 'rules/failed_logon_of_service_accounts.yml', s, target).compiled!;
      const hostile = 'x") | evil ("';
      const mapped: MappedRule = {
        ...compiled.mapped,
        detection: b.inList('TargetUserName', 'p', { kind, name: hostile }, undefined),
      };
      const refusals: string[] = [];
      const report = { warn() {}, info() {}, refuse: (c: string) => void refusals.push(c) };
      const out = backend(target).renderQuery(mapped, report);
      expect(refusals, `${target} ${kind}`).toContain(code);
      expect(out.query).not.toContain('evil');
    }
  });
});
