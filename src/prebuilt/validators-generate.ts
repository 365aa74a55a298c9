/**
 * Compiles rulec's JSON Schemas (schema/*.json) to standalone validator modules when the package is built, so a run
 * neither loads ajv nor compiles a schema (see ../schema/ajv.ts). Each module is named by its schema's content hash
 * (`schemaKey`); ../schema/validate.ts uses it only when the hash matches the schema it is asked to check.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as Codegen from 'ajv/dist/compile/codegen/index.js';
import type { AnyValidateFunction } from 'ajv/dist/types/index.js';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import { packageRoot } from '../backend/root.js';
import { newAjv, schemaKey } from '../schema/ajv.js';

const require = createRequire(import.meta.url);

/** Where the compiled validators go, inside lib/ (never committed). */
export const VALIDATORS_DIR = join('lib', 'prebuilt', 'validators');

/** The standalone CommonJS source of a schema's validator. */
export function standaloneValidator(schema: Readonly<Record<string, unknown>>): string {
  const { _ } = require('ajv/dist/compile/codegen/index.js') as typeof Codegen;
  const standalone = require('ajv/dist/standalone/index.js') as {
    default: (ajv: Ajv2020, validate: AnyValidateFunction) => string;
  };
  const ajv = newAjv({ code: { source: true, formats: _`require("ajv-formats/dist/formats").fullFormats` } });
  const validate = ajv.compile(schema);
  return standalone.default(ajv, validate);
}

export function writeValidators(root = packageRoot()): void {
  const dir = join(root, VALIDATORS_DIR);
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(join(root, 'schema')).filter((f) => f.endsWith('.json'))) {
    const schema = JSON.parse(readFileSync(join(root, 'schema', name), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, `${schemaKey(schema)}.cjs`), standaloneValidator(schema));
  }
}
