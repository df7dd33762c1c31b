import { describe, expect, it } from '@jest/globals';
import { twitchBotConfigSchema } from './config.js';
import { MAX_TIMEOUT_SECONDS, timeoutSeconds } from './bot.js';

describe('the Twitch bot config', () => {
  const channel = { login: '#Some_Streamer', owner_user_id: 'u2' };

  it("defaults to Twitch's own endpoints and writes logins as Twitch does", () => {
    expect(twitchBotConfigSchema.parse({ client_id: 'c', bot_user_id: 'u1', channels: [channel] })).toEqual({
      client_id: 'c',
      bot_user_id: 'u1',
      channels: [{ login: 'some_streamer', owner_user_id: 'u2' }],
      chat_url: 'wss://irc-ws.chat.twitch.tv:443',
      helix_url: 'https://api.twitch.tv/helix',
      eventsub_url: 'wss://eventsub.wss.twitch.tv/ws',
    });
  });

  it('refuses no channels, a channel twice, a login Twitch does not allow, tokens and unknown fields', () => {
    const base = { client_id: 'c', bot_user_id: 'u1' };
    for (const bad of [
      { ...base, channels: [] },
      { ...base, channels: [channel, { ...channel, login: 'some_streamer' }] },
      { ...base, channels: [{ ...channel, login: 'no spaces' }] },
      { ...base, channels: [channel], access_token: 'x' },
      { ...base, channels: [channel], helix_url: 'ftp://example.test' },
    ]) {
      expect(twitchBotConfigSchema.safeParse(bad).success).toBe(false);
    }
  });
});

describe('a Twitch timeout', () => {
  it('lasts whole seconds from one second to fourteen days', () => {
    expect(timeoutSeconds(1)).toBe(1);
    expect(timeoutSeconds(600_000)).toBe(600);
    expect(timeoutSeconds(MAX_TIMEOUT_SECONDS * 1000)).toBe(MAX_TIMEOUT_SECONDS);
    for (const bad of [0, -1000, MAX_TIMEOUT_SECONDS * 1000 + 1, Number.NaN, undefined]) {
      expect(() => timeoutSeconds(bad)).toThrow();
    }
  });
});
