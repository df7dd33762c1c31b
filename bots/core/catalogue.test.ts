import { describe, expect, it } from '@jest/globals';
import { CommandRegistry } from './commands.js';
import { Cooldowns } from './cooldowns.js';
import { languageOf, translate } from './i18n.js';

describe('the runtime catalogue', () => {
  it('answers in English or German, filling placeholders', () => {
    expect(translate('de', 'not_allowed', { command: 'ban' })).toBe('Du darfst ban nicht verwenden.');
    expect(translate('en', 'cooldown', { seconds: 3, command: 'ban' })).toBe(
      'Please wait 3 s before using ban again.',
    );
    expect(translate('en', 'not_linked', { platform: 'discord' })).toContain('{url}');
    expect([languageOf('de-AT'), languageOf('de_DE'), languageOf('fr'), languageOf(undefined)]).toEqual([
      'de',
      'de',
      'en',
      'en',
    ]);
  });
});

describe('the command registry', () => {
  const handler = () => undefined;
  it('finds commands by name and alias, case-insensitively', () => {
    const registry = new CommandRegistry().register({ name: 'ban', aliases: ['b'], handler });
    expect(registry.find('B')?.name).toBe('ban');
    expect(registry.list()).toHaveLength(1);
    expect(registry.find('kick')).toBeUndefined();
  });

  it('refuses names taken twice, bad names, and text arguments that are not last', () => {
    const registry = new CommandRegistry().register({ name: 'ban', handler });
    expect(() => registry.register({ name: 'kick', aliases: ['ban'], handler })).toThrow('taken');
    expect(() => registry.register({ name: 'Kick me', handler })).toThrow('must match');
    expect(() =>
      registry.register({
        name: 'say',
        args: [
          { name: 'text', kind: 'text' },
          { name: 'n', kind: 'integer' },
        ],
        handler,
      }),
    ).toThrow('must come last');
  });
});

describe('cooldowns', () => {
  it('counts down from each start and forgets what has run out', () => {
    let now = 1000;
    const cooldowns = new Cooldowns(() => now);
    cooldowns.start('k', 5000);
    expect(cooldowns.remaining('k')).toBe(5000);
    now += 4000;
    expect(cooldowns.remaining('k')).toBe(1000);
    now += 1000;
    expect(cooldowns.remaining('k')).toBe(0);
    expect(cooldowns.remaining('other')).toBe(0);
  });

  it('sweeps out the cooldowns that ran out once there are many', () => {
    let now = 0;
    const cooldowns = new Cooldowns(() => now, 3);
    for (const key of ['a', 'b', 'c']) cooldowns.start(key, 10);
    now = 20;
    cooldowns.start('d', 10);
    expect((cooldowns as unknown as { until: Map<string, number> }).until.size).toBe(1);
  });
});
