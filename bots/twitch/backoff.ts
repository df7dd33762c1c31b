export interface BackoffOptions {
  /** The first wait after a failure, in milliseconds; doubled each time up to `maxMs`. */
  initialMs?: number;
  maxMs?: number;
}

/** Waits that grow after each failure and start over after a success, with jitter so bots do not reconnect in step. */
export class Backoff {
  private failures = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 1000;
    this.maxMs = options.maxMs ?? 60_000;
  }

  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * 2 ** this.failures);
    this.failures = Math.min(this.failures + 1, 30);
    return Math.round(base * (0.75 + Math.random() * 0.25));
  }

  reset(): void {
    this.failures = 0;
  }
}
