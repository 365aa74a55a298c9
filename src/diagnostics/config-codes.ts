/**
 * RC6xx: the project configuration (rulec.config.yml) and the settings files it names. Schema problems in these
 * files use the same RC1xx codes as rules; these are the checks a schema cannot make.
 */
import { defineCodes } from './codes.js';

export const CONFIG_CODES = defineCodes({
  RC600: { severity: 'error', summary: 'the configuration file given with --config does not exist' },
  RC601: { severity: 'error', summary: 'a configuration or pipeline file could not be read' },
  RC602: { severity: 'error', summary: 'a configuration or pipeline file holds more than one YAML document' },
  RC603: { severity: 'error', summary: 'the configuration names a target rulec does not have' },
  RC604: { severity: 'error', summary: 'the configuration names a profile the target does not have' },
  RC605: { severity: 'error', summary: 'a file named in the configuration does not exist' },
  RC606: { severity: 'error', summary: 'a destination setting the target does not understand' },
  RC607: { severity: 'error', summary: 'a placeholder reference the target cannot resolve' },
  RC608: { severity: 'error', summary: 'a placeholder values file holds no value' },
  RC609: { severity: 'error', summary: 'the same setting is given two different values at the same layer' },
});

export const SITE_CODES = defineCodes({
  RC610: {
    severity: 'error',
    summary: 'a --pipeline file does not say its target and the command builds several targets',
  },
  RC611: { severity: 'error', summary: "a pipeline file's `target` is not the target it is given for" },
});

/** RC612–RC629: placeholders resolved through lists the target keeps (watchlists, lookups, macros, value lists). */
export const PLACEHOLDER_CODES = defineCodes({
  RC612: {
    severity: 'error',
    summary: "a placeholder reference's name or column has characters the target cannot write into a query",
  },
  RC613: {
    severity: 'error',
    summary: 'a placeholder entry names two references, two value sources, or a column its reference has not',
  },
  RC614: {
    severity: 'error',
    summary:
      'a placeholder resolved through a list stands inside a larger value or a keyword: a list holds whole values only, and no values are configured to expand',
  },
  RC615: {
    severity: 'error',
    summary: 'the target cannot look up a list at search time: the placeholder needs its values in the configuration',
  },
});
