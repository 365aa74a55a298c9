/**
 * A small checker for the SPL subset this backend emits. Not a Splunk parser (none is authoritative outside Splunk,
 * doc §8); it catches the mistakes that change meaning or break out of a literal:
 * unterminated quotes, raw control characters or backticks (macro expansion, doc §1 "Hazards"), brackets
 * (subsearches), unbalanced parentheses, lower-case or misplaced boolean operators, `!=` in the base search (doc §1
 * "`!=` vs NOT"), and commands outside the whitelist.
 */

export type SplToken =
  | { readonly kind: 'string'; readonly text: string }
  | { readonly kind: 'field'; readonly text: string }
  | { readonly kind: 'word'; readonly text: string }
  | { readonly kind: 'op'; readonly text: string }
  | { readonly kind: 'pipe' };

/** Commands the backend may emit after the base search. */
const COMMANDS: ReadonlySet<string> = new Set(['regex', 'where']);
/**
 * Data-model searches (tstats.ts) start with the generating command `| tstats` instead of a base search and end
 * with the `rename` that drops the dataset prefix.
 */
export const DATA_MODEL_COMMANDS: ReadonlySet<string> = new Set([...COMMANDS, 'tstats', 'rename']);
/** Correlation searches (correlation.ts) aggregate as well; a detection search never may. */
export const CORRELATION_COMMANDS: ReadonlySet<string> = new Set([...COMMANDS, 'bin', 'stats', 'eventstats', 'eval']);
const BOOLEAN = new Set(['AND', 'OR', 'NOT']);
const UNSAFE = /[`\u0000-\u0009\u000b-\u001f\u007f\u0085\u2028\u2029]/;

export function tokenize(query: string, problems: string[]): SplToken[] {
  const tokens: SplToken[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query[i]!;
    if (c === ' ') {
      i++;
      continue;
    }
    if (c === '\n') {
      // A line break is only allowed right before the next command.
      if (query[i + 1] !== '|') problems.push(`line break not followed by a pipe at ${i}`);
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let text = '';
      for (; j < query.length && query[j] !== c; j++) {
        const ch = query[j]!;
        if (UNSAFE.test(ch) || ch === '\n') problems.push(`raw ${JSON.stringify(ch)} inside quotes at ${j}`);
        if (ch === '\\' && c === '"') {
          const next = query[j + 1];
          if (next === undefined) break;
          text += ch + next;
          j++;
          continue;
        }
        text += ch;
      }
      if (j >= query.length) {
        problems.push(`unterminated ${c} quote starting at ${i}`);
        return tokens;
      }
      tokens.push(c === '"' ? { kind: 'string', text } : { kind: 'field', text });
      i = j + 1;
      continue;
    }
    if (c === '|') {
      tokens.push({ kind: 'pipe' });
      i++;
      continue;
    }
    const op = /^(<=|>=|!=|==|=|<|>|\(|\)|,)/.exec(query.slice(i));
    if (op) {
      tokens.push({ kind: 'op', text: op[0] });
      i += op[0].length;
      continue;
    }
    if (c === '`' || c === '[' || c === ']' || UNSAFE.test(c)) {
      problems.push(`forbidden ${JSON.stringify(c)} outside quotes at ${i}`);
      i++;
      continue;
    }
    const word = /^[^\s"'|=<>!(),`[\]]+/.exec(query.slice(i));
    if (!word) {
      problems.push(`unexpected ${JSON.stringify(c)} at ${i}`);
      i++;
      continue;
    }
    tokens.push({ kind: 'word', text: word[0] });
    i += word[0].length;
  }
  return tokens;
}

function checkSegment(
  tokens: readonly SplToken[],
  index: number,
  problems: string[],
  commands: ReadonlySet<string>,
): void {
  let body = tokens;
  if (index > 0) {
    const command = tokens[0];
    if (command?.kind !== 'word' || !commands.has(command.text)) {
      problems.push(`command ${command?.kind === 'word' ? command.text : '(none)'} is not allowed`);
      return;
    }
    body = tokens.slice(1);
  }
  if (body.length === 0) problems.push(`empty ${index === 0 ? 'base search' : 'command'}`);
  let depth = 0;
  let previous: SplToken | undefined;
  for (const token of body) {
    if (token.kind === 'op' && token.text === '(') depth++;
    if (token.kind === 'op' && token.text === ')' && --depth < 0) problems.push('unbalanced ")"');
    if (token.kind === 'op' && token.text === '!=' && (index === 0 || isTstats(tokens[0])))
      problems.push('!= in the base search');
    if (token.kind === 'word') {
      const upper = token.text.toUpperCase();
      if (BOOLEAN.has(upper) && token.text !== upper) problems.push(`lower-case operator '${token.text}'`);
      if ((upper === 'AND' || upper === 'OR') && (previous === undefined || isOperator(previous) || isOpen(previous)))
        problems.push(`'${token.text}' without a left operand`);
    }
    previous = token;
  }
  if (depth > 0) problems.push('unbalanced "("');
  if (previous && isOperator(previous)) problems.push('expression ends with an operator');
}

function isTstats(t: SplToken | undefined): boolean {
  return t?.kind === 'word' && t.text === 'tstats';
}

function isOperator(t: SplToken): boolean {
  return t.kind === 'word' && BOOLEAN.has(t.text.toUpperCase());
}

function isOpen(t: SplToken): boolean {
  return t.kind === 'op' && t.text === '(';
}

/** Problems found in `query`; empty when it passes. `commands`: the commands allowed after a pipe. */
export function checkSpl(query: string, commands: ReadonlySet<string> = COMMANDS): string[] {
  const problems: string[] = [];
  const tokens = tokenize(query, problems);
  const segments: SplToken[][] = [[]];
  for (const token of tokens) {
    if (token.kind === 'pipe') segments.push([]);
    else segments[segments.length - 1]!.push(token);
  }
  // A query that starts with a pipe has no base search: its first command must be the generating `tstats`.
  const generating = segments.length > 1 && segments[0]!.length === 0 && commands.has('tstats');
  if (generating) {
    if (!isTstats(segments[1]![0])) problems.push('a query starting with | must start with tstats');
    segments.forEach((segment, i) => {
      if (i > 1 && isTstats(segment[0])) problems.push('tstats after the first command');
      if (i > 0) checkSegment(segment, i, problems, commands);
    });
    return problems;
  }
  segments.forEach((segment, i) => checkSegment(segment, i, problems, commands));
  return problems;
}

/** A chain's step (correlation.ts) ends by keeping the columns the referring correlation reads, renamed. */
const CHAIN_COMMANDS: ReadonlySet<string> = new Set([...CORRELATION_COMMANDS, 'fields', 'rename']);
const APPEND = '| append [search ';

/**
 * Problems of a correlation search, chains included: a chain appends each inner correlation's search as a
 * subsearch, written `| append [search <base>` with its further lines indented four spaces and the last ending in
 * `]` (correlation.ts). Only that bracket form is taken out, and what it holds is checked as a search of its own;
 * a bracket anywhere else is still forbidden.
 */
export function checkCorrelationSpl(query: string): string[] {
  const problems: string[] = [];
  const outer: string[] = [];
  const lines = query.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.startsWith(APPEND)) {
      outer.push(line);
      continue;
    }
    const body = [line.slice(APPEND.length)];
    while (i + 1 < lines.length && lines[i + 1]!.startsWith('    ')) body.push(lines[++i]!.slice(4));
    const last = body[body.length - 1]!;
    if (!last.endsWith(']')) problems.push(`subsearch not closed: ${line}`);
    else body[body.length - 1] = last.slice(0, -1);
    problems.push(...checkCorrelationSpl(body.join('\n')));
  }
  problems.push(...checkSpl(outer.join('\n'), CHAIN_COMMANDS));
  return problems;
}
