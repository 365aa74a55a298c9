/** Types of regex-vm.js, the runtime's linear-time regular expression engine. */

/** Largest program (instructions after expanding bounded repetitions) compiled. */
export declare const MAX_PROGRAM: number;

/** A pattern the linear-time engine cannot run (look-around, backreferences, too large, unknown flags). */
export declare class RegexVmError extends Error {
  constructor(message: string);
}

/** A compiled pattern: `test` searches like `RegExp.prototype.test`, in time linear in the text. */
export interface RegexVm {
  readonly source: string;
  readonly flags: string;
  /** Number of instructions of the program. */
  readonly size: number;
  test(text: string): boolean;
}

/**
 * Compiles `source` with `flags` (any of `imsu`). Throws a SyntaxError for an invalid pattern and a RegexVmError for
 * one the engine cannot run.
 */
export declare function compileRegexVm(source: string, flags?: string): RegexVm;
