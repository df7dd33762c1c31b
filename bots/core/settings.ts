import { HeimdallApiError, type HeimdallClient } from '../../sdk/rest/index.js';
import type { BotPlatform } from './adapter.js';
import { isBotLanguage, type BotLanguage } from './i18n.js';

/** What a community (guild, channel) sets for the bot. */
export interface CommunitySettings {
  prefix: string;
  /** null: each message's locale decides. */
  language: BotLanguage | null;
  /** Where the bot writes its log in that community; null: nowhere. */
  logChannel: string | null;
}

export const DEFAULT_SETTINGS: CommunitySettings = { prefix: '!', language: null, logChannel: null };

/** A setting that does not fit: the message says which, for the person who asked for it. */
export class InvalidSettingError extends Error {
  constructor(
    readonly field: keyof CommunitySettings,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidSettingError';
  }
}

const PLAIN_ID = /^[a-z0-9_-]{1,64}$/;

/**
 * The Heimdall setting that holds a community's settings. Setting keys are lowercase letters, digits, `.`, `_`
 * and `-`; ids outside that (YouTube's channel ids have capitals) are written as hex after `x.`, which a plain
 * id, having no `.`, can never be mistaken for.
 */
export function settingKey(platform: BotPlatform, communityId: string): string {
  const id = PLAIN_ID.test(communityId)
    ? communityId
    : `x.${Array.from(new TextEncoder().encode(communityId), (b) => b.toString(16).padStart(2, '0')).join('')}`;
  const key = `custom.bot.${platform}.${id}`;
  if (key.length > 100) throw new Error(`The community id "${communityId}" is too long for a setting key.`);
  return key;
}

/** The stored value, read leniently: a field someone set by hand to something odd falls back to its default. */
function fromStored(value: unknown): CommunitySettings {
  const stored = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  return {
    prefix: validPrefix(stored.prefix) ? stored.prefix : DEFAULT_SETTINGS.prefix,
    language: isBotLanguage(stored.language) ? stored.language : null,
    logChannel: typeof stored.log_channel === 'string' ? stored.log_channel : null,
  };
}

const toStored = (s: CommunitySettings) => ({
  prefix: s.prefix,
  language: s.language,
  log_channel: s.logChannel,
});

const validPrefix = (value: unknown): value is string => typeof value === 'string' && /^\S{1,5}$/.test(value);

function validated(settings: CommunitySettings): CommunitySettings {
  if (!validPrefix(settings.prefix)) {
    throw new InvalidSettingError('prefix', 'A prefix is 1 to 5 characters without spaces.');
  }
  if (settings.language !== null && !isBotLanguage(settings.language)) {
    throw new InvalidSettingError('language', `A language is one of en, de (or none).`);
  }
  if (settings.logChannel !== null && !/^\S{1,100}$/.test(settings.logChannel)) {
    throw new InvalidSettingError('logChannel', 'A log channel is an id of at most 100 characters.');
  }
  return settings;
}

export interface SettingsChange {
  before: CommunitySettings;
  after: CommunitySettings;
  /** The fields whose value changed. */
  changed: (keyof CommunitySettings)[];
  /** Nothing was stored for the community before: the bot was set up there now. */
  created: boolean;
}

/**
 * Community settings in Heimdall's settings (`custom.bot.<platform>.<community>`), cached for `ttlMs` so that
 * a busy channel does not ask Heimdall on every message; a change made through this store is seen at once,
 * one made elsewhere (another bot process, the admin panel) within the TTL.
 */
export class CommunitySettingsStore {
  private readonly cache = new Map<string, { settings: CommunitySettings; until: number }>();
  private readonly writes = new Map<string, number>();

  constructor(
    private readonly client: HeimdallClient,
    private readonly options: { ttlMs?: number; now?: () => number } = {},
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  async get(platform: BotPlatform, communityId: string): Promise<CommunitySettings> {
    const key = settingKey(platform, communityId);
    const cached = this.cache.get(key);
    if (cached && cached.until > this.now()) return cached.settings;
    // A read that started before a change made here must not put the old value back into the cache.
    const writes = this.writes.get(key) ?? 0;
    const { settings } = await this.read(key);
    if ((this.writes.get(key) ?? 0) === writes) this.remember(key, settings);
    return settings;
  }

  /**
   * Changes some fields, sending the `updated_at` it read so that two changes at once cannot overwrite each
   * other unseen (the second answers HeimdallApiError 409 `setting.conflict`).
   */
  async update(
    platform: BotPlatform,
    communityId: string,
    patch: Partial<CommunitySettings>,
  ): Promise<SettingsChange> {
    const key = settingKey(platform, communityId);
    const { settings: before, updatedAt } = await this.read(key);
    const after = validated({ ...before, ...patch });
    const changed = (Object.keys(after) as (keyof CommunitySettings)[]).filter((f) => before[f] !== after[f]);
    // Nothing to store: a community's settings take a custom setting only once something differs.
    if (changed.length === 0) return { before, after, changed, created: false };
    await this.client.put('/v1/settings/{key}', {
      params: { path: { key } },
      body: { value: toStored(after), expected_updated_at: updatedAt },
    });
    this.writes.set(key, (this.writes.get(key) ?? 0) + 1);
    this.remember(key, after);
    return { before, after, changed, created: updatedAt === null };
  }

  private remember(key: string, settings: CommunitySettings): void {
    this.cache.set(key, { settings, until: this.now() + (this.options.ttlMs ?? 30_000) });
  }

  private async read(key: string): Promise<{ settings: CommunitySettings; updatedAt: string | null }> {
    try {
      const record = await this.client.get('/v1/settings/{key}', { params: { path: { key } } });
      return { settings: fromStored(record.value), updatedAt: record.updated_at };
    } catch (err) {
      if (err instanceof HeimdallApiError && err.code === 'setting.not_found') {
        return { settings: DEFAULT_SETTINGS, updatedAt: null };
      }
      throw err;
    }
  }
}
