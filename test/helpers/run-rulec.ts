/**
 * Runs the real `rulec` binary in a child process, from the TypeScript sources (RULEC_FROM_SOURCE=1), so a CLI
 * test sees exactly what a user sees: exit code, stdout, stderr, and nothing caught in-process.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const RULEC_BIN = fileURLToPath(new URL('../../bin/rulec.js', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface RulecRun {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RulecRunOptions {
  readonly cwd?: string;
  readonly input?: string | Buffer;
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

export function runRulec(args: readonly string[], options: RulecRunOptions = {}): RulecRun {
  const result = spawnSync(process.execPath, [RULEC_BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    input: options.input,
    env: { ...process.env, RULEC_FROM_SOURCE: '1', NO_COLOR: '1', ...options.env },
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}
