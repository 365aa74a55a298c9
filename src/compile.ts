/** Compiles one rule for one target: pipeline → query → artifacts, collecting the target's diagnostics. */
import type { ArtifactFile, Backend, CompiledRule, QueryResult, ReportAt, Reporter } from './backend/types.js';
import type { Diagnostic, SourceRef } from './diagnostics/diagnostic.js';
import type { IrNode, Origin } from './ir/nodes.js';
import type { Rule } from './model/rule.js';
import { applyPipeline } from './pipeline/apply.js';
import type { Pipeline } from './pipeline/types.js';
import type { Locator } from './source/locator.js';
import './diagnostics/build-codes.js';

export type CompileStatus = 'ok' | 'warnings' | 'refused';

export interface TargetResult {
  readonly target: string;
  readonly rule: Rule;
  readonly status: CompileStatus;
  readonly compiled?: CompiledRule;
  readonly artifacts: readonly ArtifactFile[];
  readonly diagnostics: readonly Diagnostic[];
  /**
   * Set when the rule compiled but is not deployed on its own: every correlation rule referring to it leaves
   * `generate` false (the Sigma default), so it alerts only through them. Its artifacts are empty; `compiled` is
   * kept for the correlations. The text says why, for `rulec compile`.
   */
  readonly withheld?: string;
}

/** A backend with its pipeline loaded once. */
export interface LoadedTarget {
  readonly backend: Backend;
  readonly pipeline: Pipeline;
}

class CollectingReporter implements Reporter {
  readonly diagnostics: Diagnostic[] = [];
  refused = false;
  constructor(
    private readonly target: string,
    private readonly rule: Rule,
    private readonly locator?: Locator,
  ) {}

  private add(code: string, severity: Diagnostic['severity'], message: string, at?: ReportAt): void {
    const ref = sourceRefOf(at, this.rule.documentIndex);
    const part = ref?.part === 'key' ? 'key' : 'value';
    const span = ref && this.locator ? this.locator.span(ref.path, part) : undefined;
    this.diagnostics.push({
      code,
      severity,
      message,
      file: this.rule.file,
      target: this.target,
      ...(span ? { span } : ref ? { at: ref } : {}),
    });
  }
  warn(code: string, message: string, at?: ReportAt): void {
    this.add(code, 'warning', message, at);
  }
  refuse(code: string, message: string, at?: ReportAt): void {
    this.refused = true;
    this.add(code, 'error', message, at);
  }
  info(code: string, message: string, at?: ReportAt): void {
    this.add(code, 'info', message, at);
  }
}

/** The document path a report points at: a node's origin in the detection, or the path given. */
function sourceRefOf(at: ReportAt | undefined, document: number): SourceRef | undefined {
  if (at === undefined) return undefined;
  if ('kind' in at) {
    // A node the pipeline or a dialect built (a regrouped OR) has no origin of its own: its first part's will do.
    const origin = firstOrigin(at);
    return origin ? { path: origin.path, document } : undefined;
  }
  return at.document === undefined ? { ...at, document } : at;
}

function firstOrigin(node: IrNode): Origin | undefined {
  if (node.origin) return node.origin;
  const children = node.kind === 'and' || node.kind === 'or' ? node.children : node.kind === 'not' ? [node.child] : [];
  for (const child of children) {
    const found = firstOrigin(child);
    if (found) return found;
  }
  return undefined;
}

export function compileRule(rule: Rule, target: LoadedTarget, locator?: Locator): TargetResult {
  const { backend } = target;
  const report = new CollectingReporter(backend.id, rule, locator);
  const refused = (): TargetResult => ({
    target: backend.id,
    rule,
    status: 'refused',
    artifacts: [],
    diagnostics: report.diagnostics,
  });
  const mapped = applyPipeline(rule, target.pipeline, report);
  if (report.refused) return refused();
  let query: QueryResult;
  try {
    query = backend.renderQuery(mapped, report);
  } catch (error) {
    report.refuse('RC901', `internal error while rendering the ${backend.id} query: ${String(error)}`);
    return refused();
  }
  if (report.refused) return refused();
  const compiled: CompiledRule = { mapped, query };
  let artifacts: readonly ArtifactFile[];
  try {
    artifacts = backend.renderArtifacts(compiled, report);
  } catch (error) {
    report.refuse(
      'RC902',
      `cannot render the ${backend.id} artifact: ${error instanceof Error ? error.message : String(error)}`,
    );
    return refused();
  }
  if (report.refused) return refused();
  const status: CompileStatus = report.diagnostics.some((d) => d.severity === 'warning') ? 'warnings' : 'ok';
  return { target: backend.id, rule, status, compiled, artifacts, diagnostics: report.diagnostics };
}
