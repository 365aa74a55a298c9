/**
 * The catalogue of target-agnostic diagnostic codes. A code never changes meaning once released.
 *
 * Ranges: RC0xx file and YAML, RC1xx schema, RC2xx detection values and modifiers, RC3xx condition,
 * RC4xx pipeline and mapping, RC5xx rendering losses shared by several targets, RC9xx build and I/O.
 * Targets keep their own catalogue in `backends/<target>/codes.ts` with their own prefix.
 */
export interface CodeInfo {
  readonly code: string;
  readonly severity: 'error' | 'warning' | 'info';
  /** One line: what the code means, for `rulec explain` and the coverage report. */
  readonly summary: string;
}

const catalogue = new Map<string, CodeInfo>();

/** Registers codes; a duplicate registration with a different meaning is a programming error. */
export function defineCodes<const T extends Record<string, Omit<CodeInfo, 'code'>>>(
  codes: T,
): { [K in keyof T]: CodeInfo } {
  const out: Record<string, CodeInfo> = {};
  for (const [code, info] of Object.entries(codes)) {
    const entry = Object.freeze({ code, ...info });
    const existing = catalogue.get(code);
    if (existing && existing.summary !== entry.summary) throw new Error(`diagnostic code ${code} defined twice`);
    catalogue.set(code, entry);
    out[code] = entry;
  }
  return out as { [K in keyof T]: CodeInfo };
}

export function codeInfo(code: string): CodeInfo | undefined {
  return catalogue.get(code);
}

export function allCodes(): CodeInfo[] {
  return [...catalogue.values()].sort((a, b) => a.code.localeCompare(b.code));
}
