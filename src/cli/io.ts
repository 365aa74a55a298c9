/** Injectable standard streams, so the CLI can be driven by tests (peggy's testable CLI). */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stderr is a terminal (progress bars, colours). */
  readonly isTty: boolean;
  /**
   * The stream behind `stdout`, for commands that write without bound (`rulec match`): they wait for it to drain
   * (a slow reader must not grow memory) and learn when it fails (a closed pipe, a full disk).
   */
  readonly stdoutStream?: NodeJS.WritableStream;
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTty: Boolean(process.stderr.isTTY),
  stdoutStream: process.stdout,
};
