/** Codes of Sigma 2 meta-rules: correlation rules and global filters (RC7xx), their references and their use. */
import { defineCodes } from './codes.js';

export const CORRELATION_CODES = defineCodes({
  RC701: { severity: 'error', summary: 'a `rules:` entry names no rule among the files read' },
  RC702: { severity: 'error', summary: 'a `rules:` entry names more than one rule (the name or id is not unique)' },
  RC703: { severity: 'error', summary: 'correlation rules refer to each other in a cycle' },
  RC704: { severity: 'error', summary: 'an alias does not name a field for every rule the correlation refers to' },
  RC705: { severity: 'error', summary: 'an alias names a rule the correlation does not refer to' },
  RC706: { severity: 'error', summary: 'a `group-by` field that a referenced correlation rule does not group by' },
  RC707: {
    severity: 'error',
    summary: 'a filter refers to a correlation rule or a filter (filters tune detection rules)',
  },
  RC708: { severity: 'warning', summary: "a filter's logsource does not match a rule it names; not applied to it" },
  RC709: { severity: 'error', summary: 'a correlation rule refers to a filter' },
  RC711: { severity: 'error', summary: '`condition.field` lists several fields, which only value_count can aggregate' },
  RC712: {
    severity: 'error',
    summary: '`condition.field` is given for a correlation type that counts events or rules',
  },
  RC720: { severity: 'error', summary: 'this target cannot compile this correlation (the message says which part)' },
  RC722: { severity: 'warning', summary: 'an event has no readable time; correlation rules skip it' },
  RC723: {
    severity: 'error',
    summary: 'a correlation refers to a correlation that the target cannot compile as a step of a chain',
  },
  RC740: { severity: 'warning', summary: 'a filter applies to no rule read with it (missing, or another logsource)' },
  RC741: {
    severity: 'info',
    summary: 'a rule is deployed only through the correlation rules referring to it (none says `generate: true`)',
  },
  RC742: { severity: 'warning', summary: 'a document in a --filters folder is not a filter; ignored' },
  RC743: { severity: 'warning', summary: 'a filter names a rule that is not among the files read; not tuned here' },
});
