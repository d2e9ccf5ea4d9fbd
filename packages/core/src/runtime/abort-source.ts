// A cheap stand-in for AbortController on the hot path: the real AbortSignal (costly to create
// and to listen on) is made only if the handler reads ctx.signal. A burst of 100,000 trivial runs
// then allocates no AbortControllers at all.

export class AbortSource {
  private controller: AbortController | null = null;
  private listeners: (() => void)[] | null = null;
  private abortReason: unknown;
  aborted = false;

  /** The AbortSignal handed to handlers; created on first read. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  get reason(): unknown {
    return this.abortReason;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.abortReason = reason;
    this.controller?.abort(reason);
    const listeners = this.listeners;
    this.listeners = null;
    if (listeners) for (const listener of listeners) listener();
  }

  /** Calls `listener` once on abort (at once if already aborted); returns an unsubscribe. */
  onAbort(listener: () => void): () => void {
    if (this.aborted) {
      listener();
      return () => {};
    }
    if (this.listeners) this.listeners.push(listener);
    else this.listeners = [listener];
    return () => {
      const index = this.listeners?.indexOf(listener) ?? -1;
      if (index >= 0) this.listeners?.splice(index, 1);
    };
  }
}
