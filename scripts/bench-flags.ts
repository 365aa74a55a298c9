/** The numeric flags of the bench scripts (`--events 20000`): one reader for bench-match, bench-match-core and bench-jobs. */
const args = process.argv.slice(2);

/** The number after `name` on the command line, or `fallback` when the flag is absent. */
export function numberFlag(name: string, fallback: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}
