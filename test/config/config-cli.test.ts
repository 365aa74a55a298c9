/**
 * The project configuration and user pipelines through the real binary: `rulec build` with no arguments does the
 * configured build, and every bad configuration or pipeline file is a located error, exit 1, nothing written.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runRulec } from '../helpers/run-rulec.js';
import { processRule, project, WHOAMI } from './fixtures.js';

describe('rulec.config.yml', () => {
  it('`rulec build` with no arguments builds the configured rules, targets and destination into the configured folder', () => {
    const dir = project({
      'detections/whoami.yml': WHOAMI,
      'rulec.config.yml': `rules: detections
out: build/rules
targets:
  splunk:
    destination: { index: wineventlog, macro: site_sysmon }
  elastic:
    destination: { index: [winlogbeat-*] }
`,
    });
    const run = runRulec(['build'], { cwd: join(dir, 'detections') }); // found from a sub-folder upwards
    expect(run.stderr).not.toContain('error[');
    expect(run.status).toBe(0);
    const spl = readFileSync(join(dir, 'build/rules/splunk/savedsearches.conf'), 'utf8');
    expect(spl).toContain(
      '`site_sysmon` index="wineventlog" source="XmlWinEventLog:Microsoft-Windows-Sysmon/Operational"',
    );
    const elastic = JSON.parse(
      readFileSync(join(dir, 'build/rules/elastic/0c2a1f7e-2f7b-4c3e-9a55-0a4b2e1d1c01.json'), 'utf8'),
    ) as {
      index: string[];
    };
    expect(elastic.index).toEqual(['winlogbeat-*']);
    // Only the configured targets are built.
    expect(existsSync(join(dir, 'build/rules/sentinel'))).toBe(false);
    expect(existsSync(join(dir, 'dist-rules'))).toBe(false);
  });

  it('an unknown key is a located error with "did you mean", exit 1, nothing written', () => {
    const dir = project({
      'rules/whoami.yml': WHOAMI,
      'rulec.config.yml': 'rules: rules\ntargets:\n  splunk:\n    destinaton: { index: main }\n',
    });
    const run = runRulec(['build'], { cwd: dir });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('error[RC105]');
    expect(run.stderr).toContain("unknown key 'destinaton'");
    expect(run.stderr).toContain('rulec.config.yml:4:5');
    expect(run.stderr).toContain("did you mean 'destination'?");
    expect(existsSync(join(dir, 'dist-rules'))).toBe(false);
  });

  it('wrong types, unknown targets, profiles and destination keys are all reported at once, located', () => {
    const dir = project({
      'rules/whoami.yml': WHOAMI,
      'rulec.config.yml': `out: 3
rules: [rules, 5]
`,
    });
    const run = runRulec(['build'], { cwd: dir });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/error\[RC102\]: 'out' must be a string, not the number 3\n --> .*rulec.config.yml:1:6/);
    expect(run.stderr).toMatch(
      /error\[RC102\]: 'rules\[1\]' must be a string, not the number 5\n --> .*rulec.config.yml:2:16/,
    );
    expect(existsSync(join(dir, 'dist-rules'))).toBe(false);
    // Once the schema passes, the semantic checks run: unknown profile and destination key.
    writeFileSync(
      join(dir, 'rulec.config.yml'),
      'targets:\n  sentinel: { profile: windows-event }\n  elastic: { destination: { indx: [a-*] } }\n  splnk: {}\n',
    );
    const again = runRulec(['build'], { cwd: dir });
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/error\[RC604\]: sentinel has no profile 'windows-event'\n --> .*:2:24/);
    expect(again.stderr).toContain("did you mean 'windows-events'?");
    expect(again.stderr).toMatch(/error\[RC606\]: unknown elastic destination key 'indx'/);
    expect(again.stderr).toContain("did you mean 'index'?");
    expect(again.stderr).toMatch(/error\[RC603\]: unknown target 'splnk'\n --> .*rulec.config.yml:4:3/);
    expect(again.stderr).toContain("did you mean 'splunk'?");
    expect(existsSync(join(dir, 'dist-rules'))).toBe(false);
  });

  it('--config names the file; a missing one is an error', () => {
    const dir = project({
      'rules/whoami.yml': WHOAMI,
      'site/conf.yml': 'targets:\n  splunk: { destination: { index: sec } }\n',
    });
    const run = runRulec(['compile', '-t', 'splunk', '--config', 'site/conf.yml', 'rules'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^index="sec" /);
    const missing = runRulec(['compile', '-t', 'splunk', '--config', 'nope.yml', 'rules'], { cwd: dir });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("error[RC600]: configuration file 'nope.yml' does not exist");
  });
});

describe('user pipelines', () => {
  const SPLUNK_4688 = `target: splunk
logsources:
  - id: windows-process-creation          # the built-in entry, changed key by key
    destination: { source: WinEventLog:Security, index: wineventlog }
    condition: { EventCode: 4688 }
    fields: { Image: NewProcessName, ParentImage: ParentProcessName, CommandLine: Process_Command_Line }
  - id: acme-badge-access                 # a logsource the packs lack
    when: { product: acme, service: badge }
    destination: { sourcetype: 'acme:badge' }
    fields: { Door: door_id, Result: result }
    values: { Result: { denied: 'DENY' } }
    unmapped: refuse
`;

  it('override a built-in logsource and add a new one, with field and value maps', () => {
    const dir = project({
      'rules/whoami.yml': WHOAMI,
      'rules/badge.yml': `title: Badge denied at the server room
id: 3f0c1a6e-4b1d-4f0e-8d55-2c9c3a0f9b11
status: test
description: test
author: rulec tests
date: 2024-01-01
logsource: { product: acme, service: badge }
detection:
  selection: { Door: server-room, Result: denied }
  condition: selection
level: low
`,
      'site.yml': SPLUNK_4688,
    });
    const run = runRulec(['compile', '-t', 'splunk', '--pipeline', 'site.yml', 'rules'], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(
      '==> Badge denied at the server room (rules/badge.yml) <==\n' +
        'sourcetype="acme:badge" door_id="server-room" result="DENY"\n\n' +
        '==> Whoami from a test (rules/whoami.yml) <==\n' +
        'index="wineventlog" source="WinEventLog:Security" EventCode=4688 NewProcessName="*\\\\whoami.exe" Process_Command_Line="*/priv*"\n',
    );
  });

  it('precedence: --pipeline over the configuration over the profile over the built-in pack', () => {
    const layer = (name: string) =>
      `logsources:\n  - id: windows-process-creation\n    fields: { CommandLine: ${name} }\n`;
    const dir = project({
      'rules/whoami.yml': WHOAMI,
      'config-layer.yml': layer('from_config'),
      'cli-layer.yml': layer('from_cli'),
      'rulec.config.yml': 'targets:\n  splunk: { pipelines: [config-layer.yml] }\n',
    });
    const builtin = runRulec(['compile', '-t', 'splunk', 'rules'], { cwd: project({ 'rules/whoami.yml': WHOAMI }) });
    expect(builtin.stdout).toContain(' CommandLine="*/priv*"');
    const config = runRulec(['compile', '-t', 'splunk', 'rules'], { cwd: dir });
    expect(config.stdout).toContain('from_config="*/priv*"');
    const cli = runRulec(['compile', '-t', 'splunk', '--pipeline', 'cli-layer.yml', 'rules'], { cwd: dir });
    expect(cli.stdout).toContain('from_cli="*/priv*"');
    expect(cli.stdout).not.toContain('from_config');
    // The profile sits between the built-in pack and the configuration's pipelines.
    const sentinel = project({
      'rules/whoami.yml': WHOAMI,
      'rulec.config.yml': 'targets:\n  sentinel: { profile: windows-events }\n',
      'cli.yml':
        'target: sentinel\nlogsources:\n  - id: windows-process-creation\n    fields: { CommandLine: CmdLine }\n',
    });
    const profile = runRulec(['compile', '-t', 'sentinel', 'rules'], { cwd: sentinel });
    expect(profile.stdout).toMatch(/^Event\n/);
    expect(profile.stdout).toContain('CommandLine contains "/priv"');
    const over = runRulec(['compile', '-t', 'sentinel', '--pipeline', 'cli.yml', 'rules'], { cwd: sentinel });
    expect(over.stdout).toMatch(/^Event\n/);
    expect(over.stdout).toContain('CmdLine contains "/priv"');
  });

  it('bad pipeline files: wrong key, wrong type, new id without when, unknown destination key, a field mapped two ways', () => {
    const dir = project({
      'rules/whoami.yml': WHOAMI,
      'bad.yml': `target: splunk
logsources:
  - id: windows-process-creation
    feilds: { Image: NewProcessName }
    unmapped: drop
  - id: windows-proces-creation
    destination: { indx: main }
`,
      'a.yml': 'target: splunk\nfields: { CommandLine: cmd }\n',
      'b.yml': 'target: splunk\nfields: { CommandLine: command_line }\n',
    });
    const out = join(dir, 'out');
    const run = runRulec(['build', '-o', out, '--pipeline', 'bad.yml', 'rules'], { cwd: dir });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/error\[RC105\]: unknown key 'feilds'.*\n --> .*bad.yml:4:5/);
    expect(run.stderr).toContain("did you mean 'fields'?");
    expect(run.stderr).toMatch(/error\[RC103\]: "drop" is not a valid 'logsources\[0\].unmapped'/);
    expect(existsSync(out)).toBe(false);
    writeFileSync(
      join(dir, 'bad.yml'),
      'target: splunk\nlogsources:\n  - id: windows-proces-creation\n    destination: { indx: main }\n',
    );
    const semantic = runRulec(['build', '-o', out, '--pipeline', 'bad.yml', 'rules'], { cwd: dir });
    expect(semantic.status).toBe(1);
    expect(semantic.stderr).toMatch(
      /error\[RC408\]: 'windows-proces-creation' is not a splunk logsource id.*\n --> .*bad.yml:3:9/,
    );
    expect(semantic.stderr).toContain("did you mean 'windows-process-creation'?");
    expect(semantic.stderr).toMatch(/error\[RC410\]: unknown splunk destination key 'indx'\n --> .*bad.yml:4:20/);
    const twice = runRulec(['build', '-o', out, '--pipeline', 'a.yml', '--pipeline', 'b.yml', 'rules'], { cwd: dir });
    expect(twice.status).toBe(1);
    expect(twice.stderr).toMatch(
      /error\[RC411\]: field 'CommandLine' is mapped to "command_line" here and to "cmd" in .*a.yml\n --> .*b.yml:2:24/,
    );
    writeFileSync(join(dir, 'c.yml'), 'fields: { CommandLine: cmd }\n');
    const noTarget = runRulec(['build', '-o', join(dir, 'out2'), '--pipeline', 'c.yml', 'rules'], { cwd: dir });
    expect(noTarget.status).toBe(1);
    expect(noTarget.stderr).toContain('error[RC610]: this pipeline does not say its target, and 4 targets are built');
    expect(existsSync(join(dir, 'out2'))).toBe(false);
  });

  it('the build cache sees a changed pipeline file', () => {
    const dir = project({ 'rules/whoami.yml': WHOAMI, 'p.yml': 'target: splunk\nfields: { CommandLine: one }\n' });
    const args = ['build', '-t', 'splunk', '-o', join(dir, 'out'), '--pipeline', 'p.yml', 'rules'];
    expect(runRulec(args, { cwd: dir }).status).toBe(0);
    expect(runRulec(args, { cwd: dir }).stderr).toContain('(cached)');
    writeFileSync(join(dir, 'p.yml'), 'target: splunk\nfields: { CommandLine: two }\n');
    const rebuilt = runRulec(args, { cwd: dir });
    expect(rebuilt.stderr).not.toContain('(cached)');
    expect(readFileSync(join(dir, 'out/splunk/savedsearches.conf'), 'utf8')).toContain('two="*/priv*"');
  });

  it('a rule field no entry maps, on a refusing logsource, is refused naming the field', () => {
    const dir = project({
      'rules/whoami.yml': processRule("selection:\n  Image|endswith: '\\whoami.exe'\n  Hashes|contains: 'MD5='"),
      'rulec.config.yml': 'targets:\n  sentinel: {}\n',
    });
    const run = runRulec(['compile', '-t', 'sentinel', 'rules'], { cwd: dir });
    expect(run.status).toBe(0);
    const table = runRulec(['compile', '-t', 'sentinel', 'rules'], {
      cwd: project({
        'rules/x.yml': processRule(
          "selection:\n  Image|endswith: '\\whoami.exe'\n  Hashes|contains: 'MD5='",
          'targets:\n  sentinel: { table: SecurityEvent }\n',
        ),
      }),
    });
    expect(table.status).toBe(1);
    expect(table.stderr).toContain(
      "error[RC403]: field 'Hashes' does not exist in sentinel data for 'windows-process-creation'",
    );
  });
});

describe('rulec targets', () => {
  it('lists each target with its profiles, marking the one the configuration uses', () => {
    const dir = project({ 'rulec.config.yml': 'targets:\n  sentinel: { profile: windows-events }\n' });
    const run = runRulec(['targets'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('\n  * windows-events  Windows event collection through the Azure Monitor Agent');
    expect(run.stdout).toContain('\n    security-4688  Process creation from Security event 4688');
    expect(run.stdout).toContain('splunk  Splunk (SPL saved search)  (not built by the configuration)');
  });
});

describe('rulec explain', () => {
  it('shows the entry, the layers, the destination and which file decided each field', () => {
    const dir = project({
      'rules/whoami.yml': WHOAMI,
      'p.yml': 'target: splunk\nlogsources:\n  - id: windows-process-creation\n    fields: { CommandLine: cmd }\n',
    });
    const run = runRulec(['explain', '-t', 'splunk', '--pipeline', 'p.yml', 'rules'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('  pipeline layers: built-in < --pipeline p.yml\n');
    expect(run.stdout).toContain(
      '  logsource entry: windows-process-creation (from backends/splunk/pipeline/windows.yml, p.yml)\n',
    );
    expect(run.stdout).toContain('  CommandLine → cmd  (p.yml)\n');
  });
});
