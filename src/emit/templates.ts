/**
 * Handlebars templates for artifacts, made safe by construction.
 *
 * Templates are compiled with `noEscape` (HTML escaping is wrong for JSON, YAML and .conf) and `strict`, and every
 * `{{…}}` must call one of the format helpers below, each of which escapes for its format. A template that prints
 * a value any other way (`{{name}}`, `{{{name}}}`) is rejected when it is loaded, so rule text can never reach an
 * artifact unescaped, whatever it contains.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import type Handlebars from 'handlebars';
import { packageRoot } from '../backend/root.js';
import { sha1 } from '../prebuilt/yaml-snapshot.js';
import { yamlLib } from '../source/yaml-lib.js';

const require = createRequire(import.meta.url);
/** The whole of Handlebars (parser and compiler), loaded only when a template was not precompiled. */
const fullHandlebars = (): typeof Handlebars => require('handlebars') as typeof Handlebars;

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

/** Words YAML 1.1 or 1.2 readers take as booleans or null when unquoted. */
const YAML_RESERVED = /^(?:true|false|null|yes|no|on|off|y|n|~)$/i;
/**
 * Unquoted (plain) scalars: a safe first character, then characters no YAML reader gives a meaning to in block
 * context (no `: `, ` #` or a final `:`, checked apart; no quotes or brackets at the start; no control or line-break
 * characters).
 */
const YAML_PLAIN =
  /^[A-Za-z0-9_(/\u00c0-\u2027\u202a-\ufefe][A-Za-z0-9 _.,'\-/()@+=&;!?%*:#\u00a0-\u2027\u202a-\ufefe\uff00-\uffef]*$/;
/** Plain scalars a YAML 1.1 or 1.2 reader would read as a number or a date. */
const YAML_NUMBER_OR_DATE =
  /^(?:[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)(?:[eE][-+]?[0-9]+)?|0[xob].*|\d{4}-\d\d?-\d\d?.*|[-+]?\d[\d_]*(?::[0-5]?\d)+(?:\.\d*)?)$/i;
/** Characters some YAML readers treat as line breaks or byte-order marks, or that are not printable. */
// DEL too: JSON.stringify leaves it raw, and YAML 1.2 does not allow it unescaped (PyYAML refuses the file).
const YAML_UNSAFE = /[\u007f-\u009f\u2028\u2029\ufeff]/g;

// Not an Error: thrown for control flow on every multi-line value, where a stack trace would only cost time.
class NeedsBlockScalar {}

/**
 * Multi-line text as a literal block (`|` keeps one final newline, `|-` none) when that is unambiguous; otherwise
 * (leading indentation on the first line, trailing spaces, several final newlines, control characters) as a JSON
 * string, which YAML reads as a double-quoted scalar. Lines are indented by `pad` plus two spaces.
 */
function yamlMultiline(text: string, pad: string): string {
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  const lines = body.split('\n');
  const firstContent = lines.find((l) => l !== '') ?? '';
  const literal =
    !/[\u0000-\u0009\u000b-\u001f\u007f]/.test(text) &&
    !YAML_UNSAFE_TEST.test(text) &&
    !body.endsWith('\n') &&
    lines[0] !== '' &&
    !/^[ \t]/.test(firstContent) &&
    lines.every((l) => !/[ \t]$/.test(l));
  if (!literal) return ` ${quoteYaml(text)}`;
  const header = text.endsWith('\n') ? '|' : '|-';
  return ` ${header}\n${lines.map((l) => (l === '' ? '' : `${pad}  ${l}`)).join('\n')}`;
}

const YAML_UNSAFE_TEST = /[\u007f-\u009f\u2028\u2029\ufeff]/;

function quoteYaml(text: string): string {
  return JSON.stringify(text).replace(YAML_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** One-line scalar: plain when unambiguous, else a JSON string (a valid YAML double-quoted scalar). */
function yamlScalar(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number')
    return Number.isFinite(value) ? (Object.is(value, -0) ? '-0' : String(value)) : quoteYaml(String(value));
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = String(value);
  if (text.includes('\n') || text.includes('\r')) throw new NeedsBlockScalar();
  if (
    YAML_PLAIN.test(text) &&
    !/: | #|:$/.test(text) &&
    !text.endsWith(' ') &&
    !YAML_RESERVED.test(text) &&
    !YAML_NUMBER_OR_DATE.test(text)
  )
    return text;
  return quoteYaml(text);
}

/** Block lines (indent 0) of a non-empty collection, in the layout the yaml package writes. */
function yamlBlock(value: object): string[] {
  const lines: string[] = [];
  const nested = (child: unknown, prefix: string, childIndent: string): void => {
    if (Array.isArray(child) && child.length > 0) {
      lines.push(prefix.trimEnd());
      for (const l of yamlBlock(child)) lines.push(l === '' ? '' : `${childIndent}${l}`);
    } else if (child !== null && typeof child === 'object' && !Array.isArray(child) && Object.keys(child).length > 0) {
      lines.push(prefix.trimEnd());
      for (const l of yamlBlock(child)) lines.push(l === '' ? '' : `${childIndent}${l}`);
    } else if (Array.isArray(child)) lines.push(`${prefix}[]`);
    else if (child !== null && typeof child === 'object') lines.push(`${prefix}{}`);
    else if (typeof child === 'string' && /[\r\n]/.test(child))
      lines.push(...`${prefix.trimEnd()}${yamlMultiline(child, '')}`.split('\n'));
    else lines.push(`${prefix}${yamlScalar(child)}`);
  };
  if (Array.isArray(value)) {
    for (const item of value) {
      if (item !== null && typeof item === 'object' && !Array.isArray(item) && Object.keys(item).length > 0) {
        const inner = yamlBlock(item);
        lines.push(`- ${inner[0]!}`, ...inner.slice(1).map((l) => (l === '' ? '' : `  ${l}`)));
      } else if (Array.isArray(item) && item.length > 0) throw new NeedsBlockScalar();
      else nested(item, '- ', '  ');
    }
  } else {
    for (const [key, child] of Object.entries(value)) {
      // YAML caps implicit keys at 1024 characters and a key cannot span lines: refuse rather than emit.
      if (/[\r\n]/.test(key) || key.length > 1000)
        throw new TemplateError('a YAML key cannot hold a line break or exceed 1000 characters');
      nested(child, `${yamlScalar(key)}: `, '  ');
    }
  }
  return lines;
}

/**
 * A YAML value to place right after `key:` (no space: the helper writes its own separator) at indentation
 * `indent`: scalars inline after one space (quoted when YAML needs it, block `|` for multi-line text),
 * collections on the following lines, so no line ends in a stray space. Common values are written directly;
 * multi-line text goes through the yaml package, which chooses a faithful block scalar.
 */
function yamlHelper(value: unknown, options: Handlebars.HelperOptions): string {
  const indent = Number(options.hash['indent'] ?? 0);
  const pad = ' '.repeat(indent);
  if (Array.isArray(value) && value.length === 0) return ' []';
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0)
    return ' {}';
  try {
    if (value !== null && typeof value === 'object')
      return `\n${yamlBlock(value)
        .map((l) => (l === '' ? '' : `${pad}  ${l}`))
        .join('\n')}`;
    return ` ${yamlScalar(value)}`;
  } catch (error) {
    if (!(error instanceof NeedsBlockScalar)) throw error;
  }
  if (typeof value === 'string') return yamlMultiline(value, pad);
  // A collection holding multi-line text: the yaml package chooses faithful block scalars.
  const text = yamlLib().stringify(value, { lineWidth: 0, minContentWidth: 0, indent: 2 }).replace(/\n$/, '');
  return `\n${text.replace(/^(?=.)/gm, `${pad}  `)}`;
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

/**
 * `runtime`: Handlebars' runtime only, enough for precompiled templates (a third of its load time), from the one-file
 * build the package ships: `handlebars/runtime` is the same code in ~20 CommonJS modules, ≈7 ms more to load.
 */
function createEnvironment(runtime: boolean): typeof Handlebars {
  const base = runtime ? (require('handlebars/dist/handlebars.runtime.js') as typeof Handlebars) : fullHandlebars();
  const hb = base.create();
  hb.registerHelper('json', jsonHelper);
  hb.registerHelper('yaml', yamlHelper);
  hb.registerHelper('conf', confHelper);
  hb.registerHelper('confStanza', confStanzaHelper);
  hb.registerHelper('raw', rawHelper);
  hb.registerHelper('text', textHelper);
  return hb;
}

/** Rejects any mustache that prints without a format helper. */
export function checkTemplate(source: string, name: string): void {
  const Handlebars = fullHandlebars();
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

/** How templates are compiled, at package build (../prebuilt/templates-generate.ts) and at run time alike. */
export const COMPILE_OPTIONS = { noEscape: true } as const;

/** Where a template's precompiled form is kept, named by the hash of its source (never stale). */
export const precompiledFile = (source: string): string =>
  join(packageRoot(), 'lib', 'prebuilt', 'templates', `${sha1(source)}.cjs`);

/**
 * Loads every `*.hbs` of a folder; `_name.hbs` files are partials. Throws TemplateError on an unsafe template.
 * Templates precompiled when the package was built (checked then) run on Handlebars' runtime; any other is checked
 * and compiled here.
 */
export function loadTemplates(dir: string): Templates {
  const compiled = new Map<string, Handlebars.TemplateDelegate>();
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.hbs'))
    .sort();
  const sources = files.map((file) => readFileSync(join(dir, file), 'utf8'));
  const specs = sources.map((source) => precompiledFile(source));
  const precompiled = specs.every((file) => existsSync(file));
  const hb = createEnvironment(precompiled);
  for (const [i, file] of files.entries()) {
    const source = sources[i]!;
    const name = basename(file, '.hbs');
    let template: Handlebars.TemplateDelegate | undefined;
    if (precompiled) template = hb.template(require(specs[i]!) as Parameters<typeof Handlebars.template>[0]);
    else checkTemplate(source, file);
    if (name.startsWith('_')) hb.registerPartial(name.slice(1), template ?? source);
    else compiled.set(name, template ?? hb.compile(source, COMPILE_OPTIONS));
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

/**
 * `normaliseText` of a text given in parts: `write` each part, then `end`; `out` receives the normalised text in
 * parts (a combined file of megabytes is never whole in memory). A CR ending one part and the LF starting the
 * next are one line end, and newlines are held back until text follows them, so the result is byte for byte
 * `normaliseText` of the parts joined.
 */
export function normalisingWriter(out: (text: string) => void): { write(text: string): void; end(): void } {
  let carriageReturn = false;
  let newlines = 0;
  return {
    write(part: string): void {
      let text = carriageReturn ? `\r${part}` : part;
      carriageReturn = text.endsWith('\r');
      if (carriageReturn) text = text.slice(0, -1);
      const lf = text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
      let end = lf.length;
      while (end > 0 && lf.charCodeAt(end - 1) === 10) end--;
      if (end > 0) {
        out(`${'\n'.repeat(newlines)}${lf.slice(0, end)}`);
        newlines = 0;
      }
      newlines += lf.length - end;
    },
    end(): void {
      out('\n');
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
