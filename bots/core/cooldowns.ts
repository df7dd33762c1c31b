/**
 * Per-user cooldowns, kept in the bot's memory: a restart forgets them, which costs at most one early use of
 * a command per user, not worth a round trip to Heimdall on every message.
 */
export class Cooldowns {
  private readonly until = new Map<string, number>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly sweepAt = 10_000,
  ) {}

  /** Milliseconds left before `key` may run again; 0 when it may. */
  remaining(key: string): number {
    const until = this.until.get(key);
    if (until === undefined) return 0;
    const left = until - this.now();
    if (left > 0) return left;
    this.until.delete(key);
    return 0;
  }

  start(key: string, ms: number): void {
    if (ms <= 0) return;
    // Most users never come back for the same command: without a sweep, a long-running bot keeps them all.
    if (this.until.size >= this.sweepAt) {
      const now = this.now();
      for (const [k, until] of this.until) if (until <= now) this.until.delete(k);
    }
    this.until.set(key, this.now() + ms);
  }
}
