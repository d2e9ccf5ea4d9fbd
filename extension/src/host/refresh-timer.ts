// One timer that redraws relative labels ("in 3s") when they change: every second while the
// soonest shown run is under a minute away, else once a minute (nextRefreshDelay decides), and
// none while no run is shown. Disposed with the provider that owns it, so deactivation stops it.

import { nextRefreshDelay } from '../service/relative-time.js';

export class RefreshTimer {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly refresh: () => void) {}

  /** Plans the next refresh for the runs whose labels are on screen now (replacing any planned). */
  plan(runs: Iterable<Date | undefined>): void {
    this.stop();
    const delay = nextRefreshDelay(runs, new Date());
    if (delay === undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refresh();
    }, delay);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  dispose(): void {
    this.stop();
  }
}
