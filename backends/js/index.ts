/** The JS predicate target: one standalone ES module per rule exporting `match(event)` and `rule` metadata. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleParts, wholeFile } from '../../src/backend/bundle.js';
import type {
  ArtifactFile,
  Backend,
  BundleFile,
  CompiledRule,
  CorrelationInput,
  EventPredicate,
  FragmentList,
  MappedRule,
  QueryResult,
  Reporter,
} from '../../src/backend/types.js';
import { loadTemplates, normaliseText, type Templates, TrustedText } from '../../src/emit/templates.js';
import { _, join as joinCode, type Literal, Name } from './codegen.js';
import './codes.js';
import type { IrNode } from '../../src/ir/nodes.js';
import { moduleStem } from './file-name.js';
import { generatePredicate } from './generate.js';
import { interpretPredicate } from './interpret.js';
import { meta } from './target.js';
import * as runtime from './runtime/runtime.js';

const root = meta.root;

let templates: Templates | undefined;
function getTemplates(): Templates {
  return (templates ??= loadTemplates(join(root, 'templates')));
}

/** The runtime's source, copied verbatim into dist-rules/js so modules and tests run the same code. */
export function runtimeSource(): string {
  return normaliseText(readFileSync(join(root, 'runtime', 'runtime.js'), 'utf8'));
}

/** Every file of the runtime (runtime.js and the modules it re-exports: regex engine, needle sets, CIDR), verbatim. */
export function runtimeFiles(): readonly ArtifactFile[] {
  return ['runtime.js', 'regex-vm.js', 'text-set.js', 'cidr.js'].map((name) => ({
    path: name,
    content: normaliseText(readFileSync(join(root, 'runtime', name), 'utf8')),
  }));
}

function metadata(mapped: MappedRule): Literal {
  const r = mapped.rule;
  const optional = (value: string | undefined): Literal => value ?? null;
  return {
    id: optional(r.id),
    title: r.title,
    level: optional(r.level),
    author: optional(r.author),
    authors: [...r.authors],
    license: optional(r.license),
    references: [...r.references],
    tags: [...r.tags],
    logsource: { ...r.logsource },
  };
}

function renderModule(mapped: MappedRule, report: Reporter): string {
  const predicate = generatePredicate(mapped.detection, report);
  const text = getTemplates().render('rule', {
    meta: new TrustedText(_`${metadata(mapped)}`.text),
    constants: new TrustedText(predicate.constants.text),
    body: new TrustedText(predicate.body.text.replace(/\n/g, '\n  ')),
  });
  return text.replace(/\n\n\n+/g, '\n\n').replace(/\n$/, '');
}

export const backend: Backend = {
  ...meta,
  lineComment: '//',
  renderQuery(mapped: MappedRule, report: Reporter): QueryResult {
    return { query: renderModule(mapped, report), language: 'js' };
  },
  createPredicate(mapped: MappedRule, report: Reporter): EventPredicate | undefined {
    // The module's semantics, run by one small set of closures V8 optimises early (./interpret.ts): the generated
    // function of each rule would mostly run unoptimised. test/backends/js/interpret.test.ts holds them equal.
    return interpretPredicate(mapped.detection, report);
  },
  /**
   * A module is a predicate over one event (`match(event)`), and the index lists modules callers evaluate event by
   * event: a correlation, which counts events over time per group, has no such form. `rulec match` runs correlation
   * rules with its streaming correlator, over these same predicates; a build refuses them here, saying so.
   */
  renderCorrelation(input: CorrelationInput, report: Reporter): QueryResult {
    report.refuse(
      'JS100',
      `correlation rule '${input.correlation.title}' has no JS module (modules are per-event predicates): rulec match runs it`,
    );
    return { query: '', language: 'js' };
  },
  renderArtifacts(compiled: CompiledRule): readonly ArtifactFile[] {
    return [{ path: `${moduleStem(compiled.mapped.rule)}.js`, content: normaliseText(compiled.query.query) }];
  },
  // The index imports every module, by stem; a rule's fragment is its stem.
  ...bundleParts({
    fragment: (compiled: CompiledRule): string => moduleStem(compiled.mapped.rule),
    files(fragments: FragmentList): readonly BundleFile[] {
      // Stems are short: the index is made whole.
      const stems = [...new Set(Array.from({ length: fragments.length }, (_, i) => fragments.get(i)))].sort();
      const names = stems.map((_stem, i) => new Name(`r${i}`));
      const imports = joinCode(
        stems.map((stem, i) => _`import * as ${names[i]!} from ${`./${stem}.js`};`),
        _`\n`,
      );
      const index = getTemplates().render('index', {
        imports: new TrustedText(imports.text),
        list: new TrustedText(joinCode(names, _`, `).text),
      });
      return [...runtimeFiles(), { path: 'index.js', content: index }].map((f) => wholeFile(f.path, f.content));
    },
  }),
};

/**
 * A detection's generated `match` instantiated in this process, bound to the runtime: the module's own code (values
 * entered it only as JSON literals, so instantiating it runs nothing from the rule). For tests that hold the
 * interpreter (`createPredicate`) to it.
 */
export function generatedPredicate(detection: IrNode, report: Reporter): EventPredicate {
  const predicate = generatePredicate(detection, report);
  const factory = new Function(
    'rt',
    `${predicate.constants.text}\nreturn function match(event, memo) {\n${predicate.body.text}\n};`,
  ) as (rt: unknown) => EventPredicate;
  return factory(runtime);
}
