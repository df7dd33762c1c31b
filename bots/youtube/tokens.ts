import type { HeimdallClient } from '../../sdk/rest/index.js';
import { YouTubeApiError } from './api.js';

/** Handed over fresh for at least a minute; asked again a little before that runs out. */
const RENEW_BEFORE_MS = 30_000;

/**
 * A channel owner's Google access token, from Heimdall only: Heimdall keeps the grant and refreshes it, the bot
 * holds a token while it is good and asks again when it runs out or YouTube refuses it.
 */
export class OwnerToken {
  private current: { token: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly client: HeimdallClient,
    readonly ownerUserId: string,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<string> {
    if (this.current && this.current.expiresAt - RENEW_BEFORE_MS > this.now()) {
      return Promise.resolve(this.current.token);
    }
    return (this.pending ??= this.fetch().finally(() => {
      this.pending = undefined;
    }));
  }

  /** YouTube refused this token: the next `get` asks Heimdall. */
  refused(token: string): void {
    if (this.current?.token === token) this.current = undefined;
  }

  /** Runs `call` with the token, and once more with a fresh one when YouTube answers 401. */
  async use<T>(call: (token: string) => Promise<T>): Promise<T> {
    const token = await this.get();
    try {
      return await call(token);
    } catch (err) {
      if (!(err instanceof YouTubeApiError) || err.status !== 401) throw err;
      this.refused(token);
      return call(await this.get());
    }
  }

  private async fetch(): Promise<string> {
    const answer = await this.client.platformToken('youtube', this.ownerUserId);
    // No expiry said: kept until YouTube refuses it.
    const expiresAt = answer.expires_at ? Date.parse(answer.expires_at) : Number.POSITIVE_INFINITY;
    this.current = { token: answer.access_token, expiresAt };
    return answer.access_token;
  }
}
