/**
 * Precompiles the targets' Handlebars templates (backends/<target>/templates/*.hbs) when the package is built, after
 * the same safety check `loadTemplates` makes, so a run loads only Handlebars' runtime (see ../emit/templates.ts).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type Handlebars from 'handlebars';
import { packageRoot } from '../backend/root.js';
import { checkTemplate, COMPILE_OPTIONS, precompiledFile } from '../emit/templates.js';

const require = createRequire(import.meta.url);

export function writeTemplates(root = packageRoot()): void {
  const hb = require('handlebars') as typeof Handlebars;
  const backends = join(root, 'backends');
  for (const target of readdirSync(backends, { withFileTypes: true })) {
    if (!target.isDirectory()) continue;
    const dir = join(backends, target.name, 'templates');
    let names: string[];
    try {
      names = readdirSync(dir).filter((f) => f.endsWith('.hbs'));
    } catch {
      continue;
    }
    for (const name of names) {
      const source = readFileSync(join(dir, name), 'utf8');
      checkTemplate(source, name);
      const file = precompiledFile(source);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, `module.exports = ${hb.precompile(source, COMPILE_OPTIONS)};\n`);
    }
  }
}
