/**
 * `rulec match` and `rulec test` with a site: the configuration's placeholders and rule paths, its profile and
 * pipelines, and `--pipeline` files reach the JS predicate, for raw events (the predicate target's own pipeline)
 * and for ECS documents (Elastic's). Bad files stop the command before it reads an event or writes a file.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runRulec } from '../helpers/run-rulec.js';
import { processRule, project, WHOAMI } from './fixtures.js';

const ADMIN_RULE = processRule(
  `selection:
  Image|endswith: '\\whoami.exe'
  User|expand: '%admins%'`,
  `tests:
  - name: an admin
    event: { Image: 'C:\\Windows\\System32\\whoami.exe', User: 'CORP\\alice' }
    match: true
  - name: someone else
    event: { Image: 'C:\\Windows\\System32\\whoami.exe', User: 'CORP\\bob' }
    match: false
`,
);

const WHOAMI_RAW = '{"Image":"C:\\\\Windows\\\\System32\\\\whoami.exe","cmd":"whoami /priv"}\n';
const WHOAMI_ECS =
  '{"host":{"os":{"type":"windows"}},"event":{"category":"process","type":"start"},' +
  '"process":{"executable":"C:\\\\Windows\\\\System32\\\\whoami.exe"},"acme":{"cmd":"whoami /priv"}}\n';

describe('rulec test with a site', () => {
  it('takes placeholders and rule paths from rulec.config.yml (found upwards) or --config', () => {
    const dir = project({ 'detections/admin.yml': ADMIN_RULE });
    const bare = runRulec(['test', 'detections'], { cwd: dir });
    expect(bare.status).toBe(1);
    expect(bare.stdout).toContain('FAIL all 2 cases: RC209: placeholder %admins% has no value for js');

    const configured = project({
      'detections/admin.yml': ADMIN_RULE,
      'rulec.config.yml': 'rules: detections\nplaceholders:\n  admins: [CORP\\alice]\n',
    });
    // No path: the configuration's `rules`; run from a subfolder: the file is found upwards.
    const run = runRulec(['test'], { cwd: join(configured, 'detections') });
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('2 passed, 0 failed');
    expect(run.status).toBe(0);

    const named = project({
      'detections/admin.yml': ADMIN_RULE,
      'site.yml': 'placeholders:\n  admins: [CORP\\alice]\n',
    });
    const explicit = runRulec(['test', '--config', 'site.yml', 'detections'], { cwd: named });
    expect(explicit.stdout).toContain('2 passed, 0 failed');
    expect(explicit.status).toBe(0);
  });

  it('a bad configuration is a located error and exit 1; no case runs', () => {
    const dir = project({
      'detections/admin.yml': ADMIN_RULE,
      'rulec.config.yml': 'rules: detections\nplaceholdrs:\n  admins: [CORP\\alice]\n',
    });
    const run = runRulec(['test'], { cwd: dir });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /error\[RC105\]: unknown key 'placeholdrs' in the configuration file\n --> .*rulec\.config\.yml:2:1/,
    );
    expect(run.stderr).toContain("did you mean 'placeholders'?");
    expect(run.stdout).not.toContain('passed');
  });
});

describe('rulec match with a site', () => {
  it('--pipeline maps raw events through the predicate target’s pipeline', () => {
    const dir = project({
      'rules/whoami.yml': WHOAMI,
      'events.ndjson': WHOAMI_RAW,
      'raw-site.yml': 'logsources:\n  - id: raw\n    fields: { CommandLine: cmd }\n',
    });
    const bare = runRulec(['match', 'events.ndjson'], { cwd: dir });
    expect(bare.status).toBe(0);
    expect(bare.stdout).toBe('');
    const run = runRulec(['match', '--pipeline', 'raw-site.yml', 'events.ndjson'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('"title":"Whoami from a test"');
  });

  it("--format ecs uses Elastic's pipeline as the configuration layers it", () => {
    const files = {
      'rules/whoami.yml': WHOAMI,
      'events.ndjson': WHOAMI_ECS,
      'pipelines/elastic.yml': 'logsources:\n  - id: windows-process-creation\n    fields: { CommandLine: acme.cmd }\n',
    };
    const bare = runRulec(['match', '-f', 'ecs', 'events.ndjson'], { cwd: project(files) });
    expect(bare.stdout).toBe('');
    const dir = project({
      ...files,
      'rulec.config.yml': 'targets:\n  elastic: { profile: winlogbeat, pipelines: [pipelines/elastic.yml] }\n',
    });
    const run = runRulec(['match', '-f', 'ecs', 'events.ndjson'], { cwd: dir });
    expect(run.stderr).toContain('1 matches');
    expect(run.stdout).toContain('"title":"Whoami from a test"');
    expect(run.status).toBe(0);
  });

  it('a bad pipeline file is a located error, exit 1, no output file', () => {
    const dir = project({
      'rules/whoami.yml': WHOAMI,
      'events.ndjson': WHOAMI_RAW,
      'bad.yml': 'logsources:\n  - id: raw\n    feilds: { CommandLine: cmd }\n',
    });
    const run = runRulec(['match', '--pipeline', 'bad.yml', '-o', 'out.ndjson', 'events.ndjson'], { cwd: dir });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/error\[RC105\]: unknown key 'feilds' in 'logsources\[0\]'\n --> bad\.yml:3:5/);
    expect(existsSync(join(dir, 'out.ndjson'))).toBe(false);
  });
});
