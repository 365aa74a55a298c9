/**
 * The one ajv configuration rulec validates with, shared by run-time compilation (./validate.ts) and the validators
 * compiled when the package is built (../prebuilt/validators-generate.ts), so both give the same errors.
 *
 * ajv is loaded on first use through `require` (it is CommonJS): a run whose validators were compiled at build time
 * never loads it, which saves ≈40 ms of module loading and ≈100 ms of schema compilation per cold start.
 */
import { createRequire } from 'node:module';
import type { Ajv2020, Options } from 'ajv/dist/2020.js';
import type * as Ajv2020Module from 'ajv/dist/2020.js';
import { sha1 } from '../prebuilt/yaml-snapshot.js';

const require = createRequire(import.meta.url);

/** verbose: errors carry the offending data and schema, which the messages quote. */
export const AJV_OPTIONS: Options = { allErrors: true, strict: true, allowUnionTypes: true, verbose: true };

export function newAjv(extra: Options = {}): Ajv2020 {
  const { Ajv2020: Ajv } = require('ajv/dist/2020.js') as typeof Ajv2020Module;
  const ajv = new Ajv({ ...AJV_OPTIONS, ...extra });
  // ajv-formats is CommonJS; its default export may arrive wrapped once more.
  type Plugin = (a: Ajv2020) => unknown;
  const exported = require('ajv-formats') as Plugin | { default: Plugin };
  const addFormats = typeof exported === 'function' ? exported : exported.default;
  addFormats(ajv);
  return ajv;
}

/** The name of a schema's prebuilt validator: the hash of its content, so a changed schema never meets a stale one. */
export const schemaKey = (schema: Readonly<Record<string, unknown>>): string => sha1(JSON.stringify(schema));
