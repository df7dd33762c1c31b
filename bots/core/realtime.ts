import type { RealtimeClient } from '../../sdk/realtime/browser.js';
import type { BotPlatform } from './adapter.js';

/** A small event on the bot's own channel, `bot:<platform>:<botId>`, for dashboards and other services. */
export interface BotEventInput {
  type: string;
  data: Record<string, unknown>;
}

export type BotEventPublisher = (channel: string, event: BotEventInput) => Promise<void>;

/** `bot:<platform>:<botId>`; Heimdall takes 1–64 letters, digits, `_` or `-` as the id. */
export function botChannel(platform: BotPlatform, botId: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(botId)) {
    throw new Error(`A bot id is 1–64 letters, digits, "_" or "-": "${botId}" is not.`);
  }
  return `bot:${platform}:${botId}`;
}

/**
 * A publisher over a connected realtime client of the SDK. Publishing on a bot channel takes
 * `realtime:publish` and `<platform>:read`; Heimdall fills in the event's platform and bot id from the channel.
 */
export function realtimePublisher(client: Pick<RealtimeClient, 'publish'>): BotEventPublisher {
  return async (channel, event) => {
    await client.publish(channel, { bot: { type: event.type, dataJson: JSON.stringify(event.data) } });
  };
}
