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

/**
 * A writer over a standard stream whose reader may go away (`rulec targets | head -1`). The write that finds the
 * pipe closed fails later with EPIPE, which Node would raise as an unhandled 'error' event with a stack trace. A
 * closed pipe is the reader saying it has read enough, so it is not an error: later writes are dropped and, when
 * `onClosed` is given, the first of them calls it (the process ends, as a shell pipeline expects). Other errors
 * (a full disk) still surface as before, unless another listener handles them. Commands that watch the stream themselves (`rulec match` counts what it
 * wrote and reports the closed pipe on stderr) keep their own listeners: this one only records.
 */
export function closedPipeTolerant(stream: NodeJS.WritableStream, onClosed?: () => void): (text: string) => void {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || closed) {
      closed = true;
      return;
    }
    // Another listener (rulec match's sink) reports it; alone, this one keeps Node's default: an uncaught error.
    if (stream.listenerCount('error') > 1) return;
    throw error;
  });
  return (text) => {
    if (closed) {
      onClosed?.();
      return;
    }
    stream.write(text);
  };
}

/** The real process: stdout closing ends it with status 0; stderr closing only silences diagnostics. */
export const processIo: CliIo = {
  stdout: closedPipeTolerant(process.stdout, () => process.exit(0)),
  stderr: closedPipeTolerant(process.stderr),
  isTty: Boolean(process.stderr.isTTY),
  stdoutStream: process.stdout,
};
