/** Shared types of the matching engine: events as read, and the predicate maker injected by the CLI entry. */
import type { EventPredicate } from '../backend/types.js';
import type { Rule } from '../model/rule.js';

/** Turns a rule into an event predicate (the JS backend provides it); undefined when the rule cannot be evaluated. */
export type PredicateFactory = (rule: Rule) => EventPredicate | undefined;

/** Where an event came from: the input (`-` for stdin) and the 1-based line its JSON value starts on. */
export interface EventSource {
  readonly file: string;
  readonly line: number;
}

export interface EventRecord {
  readonly event: unknown;
  readonly source: EventSource;
  /** The JSON text the event was parsed from, or text holding it (json-splitter.ts `EventSink`). */
  readonly text?: string;
}
