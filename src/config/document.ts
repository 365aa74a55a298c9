/**
 * Reads one settings file (project configuration, user pipeline) the way rule files are read: bytes checked, YAML
 * with positions, then the published JSON Schema, every problem a located diagnostic.
 */
import { readFileSync } from 'node:fs';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import '../diagnostics/config-codes.js';
import { schemaKey } from '../schema/ajv.js';
import { validateDocument } from '../schema/validate.js';
import { decodeSource } from '../source/decode.js';
import { prebuiltData } from '../prebuilt/yaml-snapshot.js';
import { fastLoad, lazyLocators } from '../source/fast-load.js';
import { loadSource } from '../source/load.js';
import type { Locator } from '../source/locator.js';

export interface SettingsDocument {
  readonly file: string;
  /** The file's text (empty when it could not be read), for code frames. */
  readonly text: string;
  /** The data, when the file is valid YAML holding one map that passes the schema. */
  readonly data?: unknown;
  readonly locator?: Locator;
  readonly diagnostics: readonly Diagnostic[];
}

export function readSettingsDocument(
  file: string,
  schema: Readonly<Record<string, unknown>>,
  what: string,
): SettingsDocument {
  let content: Buffer;
  try {
    content = readFileSync(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error);
    return {
      file,
      text: '',
      diagnostics: [{ code: 'RC601', severity: 'error', message: `cannot read the ${what}: ${reason}`, file }],
    };
  }
  // Plain files (rulec's built-in profiles among them) are read the fast way, positions parsed only if a
  // diagnostic needs one: the careful parse of a 10 KB profile was a tenth of a cold start.
  const decoded = decodeSource(file, content);
  // rulec's own profiles come from the snapshot made at package build (../prebuilt/yaml-snapshot.ts).
  const prebuilt = 'text' in decoded ? prebuiltData(file, decoded.text) : undefined;
  const fast =
    'text' in decoded
      ? prebuilt !== undefined
        ? [{ index: 0, data: prebuilt.data, locator: lazyLocators(file, decoded.text)(0) }]
        : fastLoad(file, decoded.text)
      : undefined;
  const loaded =
    fast && 'text' in decoded
      ? { text: decoded.text, documents: fast.map((d) => ({ ...d, ok: true })), diagnostics: [] as Diagnostic[] }
      : loadSource(file, content);
  const diagnostics = [...loaded.diagnostics];
  const [first, second] = loaded.documents;
  if (second)
    diagnostics.push({
      code: 'RC602',
      severity: 'error',
      message: `a ${what} holds one YAML document; this file has ${loaded.documents.length}`,
      file,
      ...(second.locator.span([]) ? { span: second.locator.span([])! } : {}),
    });
  if (!first || diagnostics.some((d) => d.severity === 'error') || !first.ok)
    return { file, text: loaded.text, diagnostics };
  // A built-in profile that passed this very schema when the package was built is not validated again.
  if (!prebuilt?.valid.includes(schemaKey(schema)))
    diagnostics.push(...validateDocument(schema, first.data, first.locator, `the ${what}`));
  return {
    file,
    text: loaded.text,
    locator: first.locator,
    diagnostics,
    ...(diagnostics.some((d) => d.severity === 'error') ? {} : { data: first.data }),
  };
}
