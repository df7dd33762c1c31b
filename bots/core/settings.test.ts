import { describe, expect, it } from '@jest/globals';
import { settingKey } from './settings.js';

describe('setting keys', () => {
  it('keeps plain ids and hex-encodes the others unambiguously', () => {
    expect(settingKey('discord', '81384788765712384')).toBe('custom.bot.discord.81384788765712384');
    expect(settingKey('youtube', 'UCab')).toBe('custom.bot.youtube.x.55436162');
    expect(() => settingKey('youtube', 'U'.repeat(60))).toThrow('too long');
  });
});
