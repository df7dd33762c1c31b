import type { HeimdallClient, PlatformToken } from '../../sdk/rest/index.js';

/** How long before Heimdall's expiry a token is asked for again, so none expires on its way to Twitch. */
const MARGIN_MS = 60_000;

/**
 * Twitch tokens of Heimdall users, as Heimdall hands them out (it refreshes them with Twitch). Kept until shortly
 * before they expire or until Twitch refuses one; concurrent callers share one request.
 */
export class TwitchTokens {
  private readonly cache = new Map<string, Promise<PlatformToken>>();

  constructor(
    private readonly client: HeimdallClient,
    private readonly now: () => number = Date.now,
  ) {}

  async get(heimdallUserId: string): Promise<PlatformToken> {
    const cached = this.cache.get(heimdallUserId);
    if (cached) {
      const token = await cached.catch(() => undefined);
      if (token && !this.expiring(token)) return token;
      if (this.cache.get(heimdallUserId) !== cached) return this.get(heimdallUserId);
    }
    const fetched = this.client.platformToken('twitch', heimdallUserId);
    this.cache.set(heimdallUserId, fetched);
    fetched.catch(() => {
      if (this.cache.get(heimdallUserId) === fetched) this.cache.delete(heimdallUserId);
    });
    return fetched;
  }

  /** Twitch refused `accessToken`: the next `get` asks Heimdall, unless someone already did. */
  invalidate(heimdallUserId: string, accessToken: string): void {
    const cached = this.cache.get(heimdallUserId);
    if (!cached) return;
    void cached.then(
      (token) => {
        if (token.access_token === accessToken && this.cache.get(heimdallUserId) === cached) {
          this.cache.delete(heimdallUserId);
        }
      },
      () => undefined,
    );
  }

  private expiring(token: PlatformToken): boolean {
    return token.expires_at !== null && Date.parse(token.expires_at) - MARGIN_MS <= this.now();
  }
}
