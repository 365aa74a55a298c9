/**
 * The data-model query form: `| tstats … from datamodel=<DM.Dataset> where … by …`, the form Splunk ES content
 * (ESCU) uses for CIM-normalised data, chosen by a pipeline destination that names a `datamodel` (the `cim`
 * profile). It reuses the base-search planner and both dialects of ./query.ts; only what differs is overridden:
 *
 * - The tstats `where` clause takes the base search's predicate syntax on data-model fields (`field="v*"`, `IN`,
 *   `NOT`, comparisons, CIDR), values matched case-insensitively, so ./dialect.ts writes it; keywords have no raw
 *   event text to search in a data model (SP602) and fields outside the dataset cannot be tested (SP603).
 * - What tstats cannot say (regex, `|cased`, `?`, a literal `*`, fieldref) is tested by a `| where` on its result
 *   rows. Those rows only hold the by-fields, so every field the post-filter reads joins the by clause; and tstats
 *   drops a row whose by-field is null unless `fillnull_value` is set, so it is always set (a detection must not
 *   lose an event because, say, its parent process is unknown) and the post-filter reads the filler as missing
 *   (SP606, `nullif`). All post-filters go through `| where` (never `| regex`) so that reading applies everywhere.
 * - The dataset prefix is dropped at the end with core `rename "<Object>.*" AS *`, the definition of ESCU's
 *   `drop_dm_object_name` macro, without depending on the app that ships the macro: alerts then carry `dest`,
 *   `user`, `process`… as ES content's do.
 * - `Image|endswith: '\x.exe'` on a path field that the destination pairs with a file-name field
 *   (`basenames: {Processes.process_path: Processes.process_name}`) is searched as `Processes.process_name="x.exe"`
 *   (SP601, info): CIM defines the name as the path's last component, the test is the same, and tstats answers an
 *   exact indexed term where the path test needs a leading wildcard (doc §1 "Wildcards": leading `*` is slow).
 */
import type { MappedRule, Reporter } from '../../src/backend/types.js';
import * as b from '../../src/ir/build.js';
import type { IrNode, NodeOf, StringMatchNode } from '../../src/ir/nodes.js';
import { literalPattern } from '../../src/ir/pattern.js';
import type { GenContext } from '../../src/render/query-generator.js';
import { fieldsOf, mapLeaves, walk } from '../../src/ir/visit.js';
import { SPLUNK_CODES as C } from './codes.js';
import { SearchDialect } from './dialect.js';
import { isBareSearchField, quote } from './escape.js';
import { planSpl } from './query.js';
import { WhereDialect } from './where-dialect.js';

/** The text tstats writes for a null by-field (`fillnull_value`), read back as "missing" by the post-filter. */
export const FILLNULL = 'null';

/** Fields every tstats search can test besides the dataset's own: the indexed fields of every event. */
const INDEXED_FIELDS: ReadonlySet<string> = new Set(['index', 'source', 'sourcetype', 'host']);

/** `Data_Model.Dataset` (or a deeper dataset path): CIM names are identifiers joined by dots. */
const DATAMODEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/;
const OBJECT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Whether the destination asks for the data-model form. */
export function isDataModelDestination(destination: Readonly<Record<string, unknown>>): boolean {
  return destination['datamodel'] !== undefined;
}

interface DataModelTarget {
  /** `Endpoint.Processes`, written after `from datamodel=`. */
  readonly datamodel: string;
  /** The prefix of the dataset's fields (`Processes`; `Web` for `Web.Proxy`, whose fields are inherited). */
  readonly object: string;
  readonly by: readonly string[];
  /** Path field → file-name field of the same dataset. */
  readonly basenames: Readonly<Record<string, string>>;
}

function stringList(value: unknown): readonly string[] | undefined {
  return Array.isArray(value) && value.every((v): v is string => typeof v === 'string') ? value : undefined;
}

/** The destination's data-model settings, or a refusal (SP604) naming the bad one. */
function dataModelTarget(
  destination: Readonly<Record<string, unknown>>,
  report: Reporter,
): DataModelTarget | undefined {
  const bad = (what: string): undefined => {
    report.refuse(C.SP604.code, `the destination's ${what}`);
    return undefined;
  };
  const datamodel = destination['datamodel'];
  if (typeof datamodel !== 'string' || !DATAMODEL_NAME.test(datamodel))
    return bad(`datamodel ${JSON.stringify(datamodel)} is not a data model dataset name (Data_Model.Dataset)`);
  const object = destination['object'] ?? datamodel.slice(datamodel.lastIndexOf('.') + 1);
  if (typeof object !== 'string' || !OBJECT_NAME.test(object))
    return bad(`object ${JSON.stringify(object)} is not a dataset name`);
  const by = destination['by'] ?? [];
  const byList = stringList(by);
  if (byList === undefined || !byList.every((f) => isBareSearchField(f) && inDataset(f, object)))
    return bad(`by ${JSON.stringify(by)} is not a list of ${object}.* field names`);
  const basenames = destination['basenames'] ?? {};
  if (
    typeof basenames !== 'object' ||
    basenames === null ||
    Array.isArray(basenames) ||
    !Object.entries(basenames).every(([k, v]) => inDataset(k, object) && typeof v === 'string' && inDataset(v, object))
  )
    return bad(`basenames ${JSON.stringify(basenames)} is not a map of ${object}.* path fields to name fields`);
  return { datamodel, object, by: byList, basenames: basenames as Record<string, string> };
}

function inDataset(field: string, object: string): boolean {
  return field.startsWith(`${object}.`) && field.length > object.length + 1 && isBareSearchField(field);
}

/** Whether tstats over this dataset can test `field`. */
function testable(field: string, object: string): boolean {
  return inDataset(field, object) || INDEXED_FIELDS.has(field);
}

/**
 * The file name of a test that is exactly "ends with a separator and this name" (`\x.exe` or `/bash` after a `*`): the
 * literal after the separator, which holds no separator itself.
 */
function endsWithFileName(node: StringMatchNode): { suffix: string; name: string } | undefined {
  const [first, last, ...rest] = node.pattern.parts;
  if (first?.kind !== 'anyChars' || last?.kind !== 'literal' || rest.length > 0) return undefined;
  const suffix = last.text;
  const name = suffix.slice(1);
  return (suffix[0] === '\\' || suffix[0] === '/') && name !== '' && !/[\\/]/.test(name) ? { suffix, name } : undefined;
}

/** `path endswith \name` → `name field = name` where the destination pairs the two fields (SP601). */
function useBasenames(detection: IrNode, target: DataModelTarget, report: Reporter): IrNode {
  return mapLeaves(detection, (leaf) => {
    if (leaf.kind !== 'stringMatch' || !Object.hasOwn(target.basenames, leaf.field)) return leaf;
    const file = endsWithFileName(leaf);
    if (file === undefined) return leaf;
    const nameField = target.basenames[leaf.field]!;
    report.info(
      C.SP601.code,
      `${leaf.field} ending in '${file.suffix}' is searched as ${nameField}='${file.name}', the path's file name`,
      leaf,
    );
    return b.stringMatch(nameField, literalPattern(file.name), leaf.cased, leaf.origin);
  });
}

/** The tstats `where` clause: the base search's syntax; no raw text to search keywords in. */
class TstatsWhereDialect extends SearchDialect {
  override keyword(node: NodeOf<'keyword'>, ctx?: GenContext): string {
    ctx?.report.refuse(
      C.SP602.code,
      'a keyword searches the raw event text; a data-model search has only fields',
      node,
    );
    return '"<refused>"';
  }
}

/**
 * The post-filter on tstats rows: eval syntax as after a base search, but a by-field that tstats filled with
 * FILLNULL is null again (`nullif`), so `isnull`, and the totality guard of negated tests, see a missing field.
 */
class TstatsRowDialect extends WhereDialect {
  protected override field(name: string, node: IrNode, ctx: GenContext): string | undefined {
    const f = super.field(name, node, ctx);
    return f === undefined ? undefined : `nullif(${f}, ${quote(FILLNULL)})`;
  }

  override keyword(node: NodeOf<'keyword'>, ctx?: GenContext): string {
    ctx?.report.refuse(
      C.SP602.code,
      'a keyword searches the raw event text; a data-model search has only fields',
      node,
    );
    return 'false()';
  }
}

const whereClause = new TstatsWhereDialect();
const rowFilter = new TstatsRowDialect();

/** The data-model query; '' once something is refused. */
export function renderTstats(mapped: MappedRule, report: Reporter): string {
  const target = dataModelTarget(mapped.destination, report);
  if (target === undefined) return '';
  if (mapped.destination['macro'] !== undefined) {
    report.refuse(C.SP605.code, 'a base-search macro cannot precede | tstats; select the data with index instead');
    return '';
  }
  let refused = false;
  const reported = new Set<string>();
  for (const node of walk(mapped.detection)) {
    const fields = 'field' in node ? (node.kind === 'fieldRef' ? [node.field, node.otherField] : [node.field]) : [];
    for (const field of fields) {
      if (testable(field, target.object) || reported.has(field)) continue;
      reported.add(field);
      refused = true;
      report.refuse(
        C.SP603.code,
        `field '${field}' is not a field of data model ${target.datamodel} (${target.object}.*): tstats cannot test it`,
        node,
      );
    }
  }
  if (refused) return '';

  const detection = useBasenames(mapped.detection, target, report);
  const plan = planSpl({ ...mapped, detection }, report);
  // Every deferred test, `| regex` ones included, runs as one `| where` so the FILLNULL reading applies to all.
  const deferred = plan.deferred.flatMap((part) => (part.kind === 'regex' ? [part.node] : part.nodes));
  const postFilter = deferred.length > 0 ? b.and(deferred) : undefined;
  const by = [...target.by];
  if (postFilter !== undefined) {
    for (const field of fieldsOf(postFilter)) if (!by.includes(field)) by.push(field);
    report.info(
      C.SP606.code,
      `tested on the tstats rows: ${fieldsOf(postFilter).join(', ')} (in the by clause; "${FILLNULL}" there means missing)`,
      deferred[0],
    );
  }

  const where =
    plan.base.kind === 'const' && plan.base.value ? '' : ` where ${whereClause.generate(plan.base, mapped, report)}`;
  const byClause = by.length > 0 ? ` by ${by.join(' ')}` : '';
  const lines = [
    `| tstats summariesonly=false allow_old_summaries=true fillnull_value=${quote(FILLNULL)} count min(_time) as firstTime max(_time) as lastTime from datamodel=${target.datamodel}${where}${byClause}`,
  ];
  if (postFilter !== undefined) lines.push(`| where ${rowFilter.generate(postFilter, mapped, report)}`);
  lines.push(`| rename ${quote(`${target.object}.*`)} AS *`);
  return lines.join('\n');
}
