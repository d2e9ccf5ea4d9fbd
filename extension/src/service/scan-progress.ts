// Where the workspace scan is, and the line the jobs view shows for it while it runs
// ("Scanning 1,234 of 8,318 files…"). Pure: the host reports, the views show.

export type ScanProgress =
  /** Asking VS Code for the files the include/exclude settings select. */
  | { phase: 'finding' }
  /** Reading and analysing them: `done` of `total`. */
  | { phase: 'reading'; done: number; total: number }
  /** Finished (or stopped by an error, which the log names): the tree shows what was found. */
  | { phase: 'done' };

const count = (n: number) => n.toLocaleString('en-US');

/** The jobs view's message while a scan runs; undefined once it is done (the tree, or its empty state, speaks). */
export function scanMessage(progress: ScanProgress): string | undefined {
  switch (progress.phase) {
    case 'finding':
      return 'Looking for files to scan…';
    case 'reading':
      return `Scanning ${count(progress.done)} of ${count(progress.total)} ${progress.total === 1 ? 'file' : 'files'}…`;
    case 'done':
      return undefined;
  }
}
