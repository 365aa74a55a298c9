import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { packageRoot } from '../../src/backend/root.js';
import { generateYamlSnapshot } from '../../src/prebuilt/yaml-generate.js';
import { prebuiltData, readPackageYaml, sha1, snapshotFile, snapshotKey } from '../../src/prebuilt/yaml-snapshot.js';
import { schemaKey } from '../../src/schema/ajv.js';
import pipelineSchema from '../../schema/pipeline.schema.json' with { type: 'json' };

describe('snapshot of rulec’s own YAML data', () => {
  const snapshot = generateYamlSnapshot();

  it('holds every pipeline pack, each exactly what the YAML parser reads', () => {
    const keys = Object.keys(snapshot);
    expect(keys).toContain('backends/elastic/pipeline/windows.yml');
    expect(keys).toContain('backends/sentinel/entities.yml');
    expect(keys).toContain('backends/elastic/field-types.yml');
    expect(keys).toContain('backends/elastic/profiles/winlogbeat.yml');
    for (const key of keys) {
      const text = readFileSync(join(packageRoot(), key), 'utf8');
      expect(snapshot[key]!.sha1).toBe(sha1(text));
      expect(JSON.parse(snapshot[key]!.json)).toStrictEqual(parse(text));
    }
  });

  it('leaves out data JSON cannot carry exactly', () => {
    const root = mkdtempSync(join(tmpdir(), 'rulec-snapshot-'));
    mkdirSync(join(root, 'backends', 't', 'pipeline'), { recursive: true });
    writeFileSync(join(root, 'backends', 't', 'pipeline', 'a.yml'), 'fields: {x: y}\n');
    writeFileSync(join(root, 'backends', 't', 'pipeline', 'b.yml'), 'limit: .inf\n');
    const keys = Object.keys(generateYamlSnapshot(root));
    expect(keys.some((k) => k.endsWith('a.yml'))).toBe(true);
    expect(keys.some((k) => k.endsWith('b.yml'))).toBe(false);
  });

  it('is keyed by content, so an edited file is parsed again', () => {
    const file = join(packageRoot(), 'backends', 'elastic', 'field-types.yml');
    const key = snapshotKey(file);
    expect(key).toBe('backends/elastic/field-types.yml');
    const text = readFileSync(file, 'utf8');
    const fresh = { [key]: { sha1: sha1(text), json: '{"from":"snapshot"}' } };
    expect(readPackageYaml(file, fresh)).toStrictEqual({ from: 'snapshot' });
    const stale = { [key]: { sha1: sha1(`${text}# edited\n`), json: '{"from":"snapshot"}' } };
    expect(readPackageYaml(file, stale)).toStrictEqual(parse(text));
    expect(readPackageYaml(file, {})).toStrictEqual(parse(text));
  });

  it('records the schemas each file passed, so a built-in profile is not validated again', () => {
    expect(snapshot['backends/elastic/profiles/winlogbeat.yml']!.valid).toContain(schemaKey(pipelineSchema));
    const root = mkdtempSync(join(tmpdir(), 'rulec-snapshot-'));
    mkdirSync(join(root, 'schema'));
    const schema = { type: 'object', properties: { x: { type: 'number' } }, required: ['x'] };
    writeFileSync(join(root, 'schema', 's.json'), JSON.stringify(schema));
    mkdirSync(join(root, 'backends', 't', 'pipeline'), { recursive: true });
    writeFileSync(join(root, 'backends', 't', 'pipeline', 'a.yml'), 'x: 1\n');
    writeFileSync(join(root, 'backends', 't', 'pipeline', 'b.yml'), 'y: 1\n');
    const entries = Object.entries(generateYamlSnapshot(root));
    const valid = (name: string) => entries.find(([k]) => k.endsWith(name))![1].valid;
    expect(valid('a.yml')).toStrictEqual([schemaKey(schema)]);
    expect(valid('b.yml')).toBeUndefined();
  });

  it('has no entry for a file outside the package', () => {
    expect(snapshotFile(snapshotKey(join(tmpdir(), 'rulec.yml')))).toBeUndefined();
    expect(prebuiltData(join(tmpdir(), 'rulec.yml'), 'x: 1\n')).toBeUndefined();
  });
});
