/**
 * Handlebars templates for artifacts, made safe by construction.
 *
 * Templates are compiled with `noEscape` (HTML escaping is wrong for JSON, YAML and .conf) and `strict`, and every
 * `{{…}}` must call one of the format helpers below, each of which escapes for its format. A template that prints
 * a value any other way (`{{name}}`, `{{{name}}}`) is rejected when it is loaded, so rule text can never reach an
 * artifact unescaped, whatever it contains.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';
import { stringify as yamlStringify } from 'yaml';

/** Text produced by a code generator that escapes by construction (the JS target); only `raw` prints it. */
export class TrustedText {
  constructor(readonly text: string) {}
}

export class TemplateError extends Error {}

const FORMAT_HELPERS = new Set(['json', 'yaml', 'conf', 'confStanza', 'raw', 'text']);
const BLOCK_HELPERS = new Set(['each', 'if', 'unless', 'with']);

/**
 * JSON with 2-space indentation; `indent=N` indents continuation lines so nested objects line up. `compact=true`
 * prints one line (NDJSON bundles).
 */
function jsonHelper(value: unknown, options: Handlebars.HelperOptions): string {
  const indent = Number(options.hash['indent'] ?? 0);
  const spacing = options.hash['compact'] === true ? undefined : 2;
  let text = JSON.stringify(value ?? null, null, spacing) ?? 'null';
  // Valid in JSON but not in older JS; escaping keeps the artifact safe for any consumer.
  if (/[\u2028\u2029]/.test(text)) text = text.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return indent > 0 ? text.replace(/\n/g, `\n${' '.repeat(indent)}`) : text;
}

/**
 * A YAML value to place right after `key:` (no space: the helper writes its own separator) at indentation
 * `indent`: scalars inline after one space (quoted when YAML needs it, block `|` for multi-line text),
 * collections on the following lines, so no line ends in a stray space.
 */
function yamlHelper(value: unknown, options: Handlebars.HelperOptions): string {
  const indent = Number(options.hash['indent'] ?? 0);
  const pad = ' '.repeat(indent);
  if (Array.isArray(value) && value.length === 0) return ' []';
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0)
    return ' {}';
  const text = yamlStringify(value ?? null, { lineWidth: 0, minContentWidth: 0, indent: 2 }).replace(/\n$/, '');
  if (value !== null && typeof value === 'object') return `\n${text.replace(/^/gm, `${pad}  `)}`;
  return ` ${text.replace(/\n/g, `\n${pad}  `).replace(/\n\s+\n/g, '\n\n')}`;
}

/**
 * A Splunk .conf value: newlines become a backslash line continuation (contentctl's convention). A line that
 * would itself end in a backslash would be read as a continuation, so it is refused rather than altered.
 */
function confHelper(value: unknown): string {
  const text = String(value ?? '').trim();
  for (const line of text.split('\n')) {
    if (line.endsWith('\\')) throw new TemplateError('a .conf value line cannot end with a backslash');
  }
  return text.replace(/\r\n?/g, '\n').replace(/\n/g, ' \\\n');
}

/** A .conf stanza name, the text between `[` and `]`: one line. */
function confStanzaHelper(value: unknown): string {
  const text = String(value ?? '');
  if (/[\r\n]/.test(text)) throw new TemplateError('a .conf stanza name cannot contain a line break');
  return text;
}

function rawHelper(value: unknown): string {
  if (!(value instanceof TrustedText)) throw new TemplateError('raw only prints text from a safe code generator');
  return value.text;
}

/** Plain text for Markdown/text artifacts, where any character is acceptable as is. */
function textHelper(value: unknown): string {
  return String(value ?? '');
}

function createEnvironment(): typeof Handlebars {
  const hb = Handlebars.create();
  hb.registerHelper('json', jsonHelper);
  hb.registerHelper('yaml', yamlHelper);
  hb.registerHelper('conf', confHelper);
  hb.registerHelper('confStanza', confStanzaHelper);
  hb.registerHelper('raw', rawHelper);
  hb.registerHelper('text', textHelper);
  return hb;
}

/** Rejects any mustache that prints without a format helper. */
function checkTemplate(source: string, name: string): void {
  const ast = Handlebars.parse(source);
  const problems: string[] = [];
  const visitor = new Handlebars.Visitor();
  visitor.MustacheStatement = function (node: hbs.AST.MustacheStatement) {
    const path = node.path as hbs.AST.PathExpression;
    if (!FORMAT_HELPERS.has(path.original) || node.params.length === 0)
      problems.push(`line ${node.loc.start.line}: '{{${path.original}}}' must go through a format helper`);
    if (!node.escaped && path.original !== 'raw')
      problems.push(`line ${node.loc.start.line}: triple-stash is not allowed`);
  };
  visitor.BlockStatement = function (node: hbs.AST.BlockStatement) {
    const path = node.path as hbs.AST.PathExpression;
    if (!BLOCK_HELPERS.has(path.original))
      problems.push(`line ${node.loc.start.line}: block '${path.original}' not allowed`);
    Handlebars.Visitor.prototype.BlockStatement.call(this, node);
  };
  visitor.accept(ast);
  if (problems.length > 0) throw new TemplateError(`template ${name}: ${problems.join('; ')}`);
}

export interface Templates {
  /** Renders `name` (file name without `.hbs`), normalised to LF with exactly one trailing newline. */
  render(name: string, view: unknown): string;
  readonly names: readonly string[];
}

/** Loads every `*.hbs` of a folder; `_name.hbs` files are partials. Throws TemplateError on an unsafe template. */
export function loadTemplates(dir: string): Templates {
  const hb = createEnvironment();
  const compiled = new Map<string, Handlebars.TemplateDelegate>();
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.hbs'))
    .sort();
  for (const file of files) {
    const source = readFileSync(join(dir, file), 'utf8');
    checkTemplate(source, file);
    const name = basename(file, '.hbs');
    if (name.startsWith('_')) hb.registerPartial(name.slice(1), source);
    else compiled.set(name, hb.compile(source, { noEscape: true }));
  }
  return {
    names: [...compiled.keys()],
    render(name, view) {
      const template = compiled.get(name);
      if (!template) throw new TemplateError(`no template '${name}' in ${dir}`);
      return normaliseText(template(view));
    },
  };
}

/** LF line ends and exactly one trailing newline. */
export function normaliseText(text: string): string {
  const lf = text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
  let end = lf.length;
  while (end > 0 && lf.charCodeAt(end - 1) === 10) end--;
  return `${lf.slice(0, end)}\n`;
}
