import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { escapeTag, formatLine, parseLine, unescapeTag } from './irc.js';

/** The IRC line parser Twitch chat is read with: tag escaping, prefixes, trailing parameters. */
describe('IRC lines', () => {
  it('reads a Twitch PRIVMSG with escaped tags', () => {
    const line =
      '@badges=moderator/1;display-name=Some\\sOne;id=abc;room-id=42;user-id=7;msg\\:x=a\\\\b;flag ' +
      ':someone!someone@someone.tmi.twitch.tv PRIVMSG #chan :!warn @other spam; really\r\n';
    expect(parseLine(line)).toEqual({
      tags: {
        badges: 'moderator/1',
        'display-name': 'Some One',
        id: 'abc',
        'room-id': '42',
        'user-id': '7',
        'msg\\:x': 'a\\b',
        flag: '',
      },
      prefix: 'someone!someone@someone.tmi.twitch.tv',
      command: 'PRIVMSG',
      params: ['#chan', '!warn @other spam; really'],
    });
  });

  it('reads lines without tags or prefix, and refuses lines without a command', () => {
    expect(parseLine('PING :tmi.twitch.tv')).toEqual({
      tags: {},
      command: 'PING',
      params: ['tmi.twitch.tv'],
    });
    expect(parseLine(':tmi.twitch.tv 001 bot :Welcome, GLHF!')).toMatchObject({
      command: '001',
      params: ['bot', 'Welcome, GLHF!'],
    });
    expect(parseLine('')).toBeUndefined();
    expect(parseLine('@a=b')).toBeUndefined();
    expect(parseLine(':only.prefix')).toBeUndefined();
  });

  it('unescapes what Twitch may send that it never escapes itself', () => {
    expect(unescapeTag('a\\')).toBe('a');
    expect(unescapeTag('\\x\\s\\:')).toBe('x ;');
  });

  it('escapes and unescapes any tag value back to itself', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (value) => unescapeTag(escapeTag(value)) === value));
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (value) => !/[; \r\n]/.test(escapeTag(value))));
  });

  const key = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/);
  const middle = fc.stringMatching(/^[^:\s\0][^\s\0]{0,10}$/);
  const trailing = fc.string({ unit: 'binary' }).map((s) => s.replace(/[\r\n\0]/g, ''));

  it('reads back every line it writes', () => {
    fc.assert(
      fc.property(
        fc.dictionary(key, fc.string({ unit: 'binary' })),
        fc.option(fc.stringMatching(/^[a-z0-9_]{1,10}!x@y\.tv$/), { nil: undefined }),
        fc.stringMatching(/^[A-Z]{1,10}$|^\d{3}$/),
        fc.array(middle, { maxLength: 4 }),
        fc.option(trailing, { nil: undefined }),
        (tags, prefix, command, params, last) => {
          const all = last === undefined ? params : [...params, last];
          const line = formatLine({ tags, ...(prefix ? { prefix } : {}), command, params: all });
          expect(line).not.toMatch(/[\r\n]/);
          expect(parseLine(line)).toEqual({ tags, ...(prefix ? { prefix } : {}), command, params: all });
        },
      ),
    );
  });

  it('turns CR and LF in text into spaces rather than a second line', () => {
    const line = formatLine({ command: 'PRIVMSG', params: ['#c', 'hi\r\nPRIVMSG #c :injected'] });
    expect(line).toBe('PRIVMSG #c :hi  PRIVMSG #c :injected');
  });
});
