/**
 * A test's result from what it printed. Without QEMU's chr-testdev, a kvm-unit-tests guest ends by
 * printing `EXIT: STATUS=n` (n = code << 1 | 1) and powering off; its runner reads that line as it
 * does under kvmtool: 1 is a pass, 77 a skip, anything else a failure.
 */

/** The result of one test, with what to show beside it. */
export type Outcome =
  | { readonly kind: 'pass'; readonly summary: string }
  | { readonly kind: 'skip'; readonly reason: string }
  | { readonly kind: 'fail'; readonly reason: string; readonly lines: readonly string[] };

/** How a run of `armvm` ended. */
export interface RunEnd {
  readonly output: string;
  /** armvm's exit status, null when it was killed. */
  readonly status: number | null;
  /** The time limit ran out (the duration as written). */
  readonly timedOut: string | undefined;
  /** The tail of armvm's own error output. */
  readonly stderr: string;
}

/** Classifies a finished run. */
export function outcome(end: RunEnd): Outcome {
  const lines = end.output.split('\n').map((l) => l.replace(/\r$/, ''));
  const summaryLine = lines.findLast((l) => l.startsWith('SUMMARY: '));
  const summary = summaryLine?.slice('SUMMARY: '.length) ?? '';
  const failures = lines.filter(
    (l) => /^(FAIL|ABORT|XPASS): /.test(l) || /Unhandled exception|abort\(\)/.test(l),
  );
  if (end.timedOut !== undefined) {
    return {
      kind: 'fail',
      reason: `timeout; duration=${end.timedOut}`,
      lines: failures.length ? failures : tail(lines),
    };
  }
  const exit = lines.map((l) => /^EXIT: STATUS=(\d+)/.exec(l)).find((m) => m !== null);
  if (!exit) {
    const why =
      end.status === 0
        ? 'the guest powered off without an exit status'
        : `armvm exited with status ${end.status}`;
    return {
      kind: 'fail',
      reason: why,
      lines: [...failures, ...tail(lines), ...tail(end.stderr.split('\n'))],
    };
  }
  const status = Number(exit[1]);
  if (status === 1) return { kind: 'pass', summary };
  if (status === 77) {
    // the test skipped itself: its report_skip lines, or what it printed before the summary
    const skips = lines.filter((l) => l.startsWith('SKIP: ')).map((l) => l.slice('SKIP: '.length));
    const at = summaryLine === undefined ? -1 : lines.indexOf(summaryLine);
    const said = skips.length
      ? skips.join('; ')
      : at > 0
        ? lines.slice(0, at).findLast((l) => l.trim() !== '')
        : '';
    return { kind: 'skip', reason: [summary, said].filter(Boolean).join(': ') };
  }
  return {
    kind: 'fail',
    reason: summary || `exit status ${status}`,
    lines: failures.length ? failures : tail(lines),
  };
}

/** The last few non-empty lines. */
function tail(lines: readonly string[], n = 5): string[] {
  return lines.filter((l) => l.trim() !== '').slice(-n);
}
